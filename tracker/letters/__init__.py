"""Letters to the ministries: texts per language, issuing, the register."""
