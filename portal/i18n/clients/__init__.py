"""Messages of client accounts, contacts, onboarding, sign-up and the clients page."""
