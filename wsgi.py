"""WSGI entry point: gunicorn wsgi:app"""
from coordination import create_app
from coordination.directory import communes

app = create_app()
communes.warm_up(app)  # the official list of communes, read in the background by each worker
