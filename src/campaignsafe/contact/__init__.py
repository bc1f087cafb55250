"""The contact lookup: postcode, constituency or place to police force, its routes and saved contacts."""
