"""The ringing rule and the life of an on-call call: who is rung, in which stages, how legs
and calls end, and the events a call sends."""
