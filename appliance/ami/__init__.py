"""The AMI client (pyst2 with our fixes) and its command-line options: used by the call monitor,
the trunk state, the SIP guard, the lab and the CLI."""
