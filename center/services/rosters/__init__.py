"""Duty rosters, one module per cluster: `grid` (the week and its cells), `edits` (a cell's editor, assign,
unassign), `swaps` (exchanges and swap requests), `leave`, `publishing` (what residents may see), `rotation` (fair
filling of the horizon), `duty` (a worker's own shifts and iCal feed), `shift_types`; `common` holds the loading
they share. Import a name from the module that owns it."""
