"""Schema migrations, applied in order by Peewee's migration runner on open.

Each file declares frozen copies of the tables it creates: never import the live
models here, they describe the newest schema, not this step's.
"""
