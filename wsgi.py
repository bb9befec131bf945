import gc

from portal import create_app

app = create_app()
# Everything made while loading the app (about 176,000 objects: modules, mappers, routes,
# templates, fonts) lives as long as the process. Frozen, it is left out of the cyclic
# collector's full collections, which walked it all and paused a worker 200 ms at a time.
gc.freeze()
