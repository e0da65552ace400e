"""The service desk: tickets from contact points, with service levels in working days."""
