"""What kind of activity the report's sentence describes: a mission, a fair, a seminar...

Derived once, when an activity is created (the 2006 fixture, the plan import, the synthetic
plans), from the words of its sentence; stored on the activity (Activity.kind) and editable in
the admin, where a judgement differs. The rules read the folded sentence (no accents, lower
case) in order and the first that matches decides; the sentence's leading verb goes first, so
«Difundir ... la misión tecnológica» is dissemination, not a mission.
"""

import re

from actions.formatting import fold
from actions.models import ActivityKind

# (kind, pattern on the start of the sentence or anywhere), in order of precedence.
_LEADING = (
    (ActivityKind.DISSEMINATION, r"^(difund|difusion|publicar|sensibiliz|entregar base)"),
    (ActivityKind.APPLICATION, r"^postula"),
    (ActivityKind.HIRING, r"^(contrat|colocar alumnos)"),
    # Rules about the plan itself or arrangements with others, whatever they mention.
    (ActivityKind.MANAGEMENT, r"^(establecer|gestionar|solicitar|lograr que)"),
)
_ANYWHERE = (
    (ActivityKind.DISSEMINATION, r"\b(plan|programa|actividad) de difusion"),
    (ActivityKind.FAIR, r"\bferias?\b"),
    (ActivityKind.MISSION, r"\bmision"),
    (ActivityKind.SEMINAR, r"\b(seminario|charla|taller)"),
    (ActivityKind.TRAINING, r"\b(capacitacion|curso)"),
    (ActivityKind.APPLICATION, r"\bpostula"),
    (ActivityKind.INVESTMENT, r"\b(puesta en marcha de la inversion|planta piloto)"),
    (ActivityKind.STUDY, r"\b(consultoria|asesoria|estudio|diagnostic)"),
    (ActivityKind.CERTIFICATION, r"\b(certifica|acreditacion|norma)"),
    (ActivityKind.INVESTMENT, r"\binversion"),
    (ActivityKind.COMMERCIAL, r"\b(estrategia comercial|vendedor|export)"),
    (ActivityKind.HIRING, r"\b(contrat|alumnos en practica|memoristas)"),
)
_RULES = tuple((kind, re.compile(pattern)) for kind, pattern in (*_LEADING, *_ANYWHERE))


def kind_of(text):
    """The kind of activity ``text`` (an activity's sentence) describes; MANAGEMENT otherwise
    (coordinating, arranging, agreeing: the plan's remaining work)."""
    folded = fold(text or "").strip()
    for kind, pattern in _RULES:
        if pattern.search(folded):
            return kind
    return ActivityKind.MANAGEMENT
