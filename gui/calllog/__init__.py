"""The call log screen: the appliance's calls, filtered, sorted and paged by the server."""
