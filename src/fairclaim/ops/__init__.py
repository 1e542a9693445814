"""Running the whole product: the scheduler, demo data and the demo web.

The top app: it may import every other app, and no app imports it.
"""
