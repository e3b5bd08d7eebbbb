"""`python backend/app.py`: serve the API and the web UI under gunicorn (backend/serving/server.py)."""

from backend.serving.server import main

if __name__ == "__main__":
    main()
