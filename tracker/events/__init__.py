"""Events: meetings, webinars, Cafés, registration, attendance and calendars."""
