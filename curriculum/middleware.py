from .texts import texts_scope


class CurriculumTextsMiddleware:
    """Keeps the curriculum translations a request loads for the rest of it (curriculum/texts.py),
    so a page reads them once per revision shown, and no request sees another's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with texts_scope():
            return self.get_response(request)
