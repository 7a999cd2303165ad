"""Web plumbing shared by the routes: sessions, authentication, guards, rendering, error pages."""
