"""/api/claim: the box's first admin, made with the set-up code the box shows; until then
the API answers nothing else but /api/health."""
