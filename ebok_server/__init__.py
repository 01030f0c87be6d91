"""eBOK reference backend (FastAPI + SQLAlchemy 2 async)."""

__version__ = "0.1.0"
