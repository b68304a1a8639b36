"""Routes of this resource (filled in by its own issue)."""

from fastapi import APIRouter

router = APIRouter()
