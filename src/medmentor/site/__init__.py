"""The top floor (DESIGN.md "Layout"): what ties the floors below together.

The home page and its attention items, the sign-in pages and the sign-in email, the
demo loader and its commands, and the worker. Each imports the apps below it directly;
no app below imports this one.
"""
