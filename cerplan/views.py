"""The 400 page, with the reason when Django knows it.

Django's own bad_request renders 400.html without saying why. This one renders the same
template, also without a request context (nothing in it may need the database or the session:
a bad Host is refused before those middlewares run), with the reason for the cases a user can
act on.
"""

from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def reason_for(exception):
    if isinstance(exception, MultiPartParserError) and "header size" in str(exception):
        # Django refuses a form part whose headers pass 1,024 bytes; with a file, that is
        # its name. The whole form is unreadable then, so no form can say it beside the field.
        return _(
            "El nombre del archivo que subió es demasiado largo. Cámbielo por uno más corto "
            "(menos de 200 caracteres) y vuelva a subirlo."
        )
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        return _("El formulario enviado es demasiado grande.")
    if isinstance(exception, DisallowedHost):
        return _("La dirección del sitio a la que se dirigió la solicitud no es la de este portal.")
    return ""


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    template = loader.get_template(template_name)
    return HttpResponseBadRequest(template.render({"reason": reason_for(exception)}))
