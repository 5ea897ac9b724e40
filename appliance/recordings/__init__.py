"""Call recordings on disk: who may have them, and deleting them when their time is up."""
