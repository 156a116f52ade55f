"""The case register: Django models, services (writes), selectors (reads), views and admin."""
