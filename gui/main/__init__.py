"""The main window shown after login: navigation, the appliance's health, the user."""
