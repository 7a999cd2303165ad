"""The hall queue (取号叫号): queues and windows (setup), tickets at the door (tickets), the window's actions
(window), the calls every screen hears (events) and the figures (figures)."""
