"""Request middleware: the Content-Security-Policy header and the audit actor of a request."""

from django.conf import settings

from . import audit


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.FORCEB_CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class AuditActorMiddleware:
    """Attribute audit entries written while serving a request to the signed-in person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        token = audit.set_actor(user=user, remote_addr=request.META.get("REMOTE_ADDR"), label="anonymous")
        try:
            return self.get_response(request)
        finally:
            audit.reset_actor(token)
