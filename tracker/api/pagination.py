"""Page-numbered lists with a page size the client may choose, up to a cap."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`: 50 rows by default, never more than 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
