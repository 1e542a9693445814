"""Cursor pagination: stable under inserts (a new match never shifts a page), O(1) per page."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    # Row ids grow with creation time and are unique: the cursor needs nothing else.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
