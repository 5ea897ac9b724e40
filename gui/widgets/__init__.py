"""Models and widgets shared by the console's screens."""
