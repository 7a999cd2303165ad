"""Services: load rows, apply the rules in center.domain, save; shared by routes, jobs and the CLI."""
