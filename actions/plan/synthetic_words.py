"""The words of synthetic CER plans (actions.plan.synthetic): the report's own phrasing.

Periods, objectives, strategies, activities, goals, funding, actors, obstacles and the notes of a
progress history, as the 2006 report writes them, for plans that read like real ones.
"""

from decimal import Decimal

from actions.models import Status

# Committed periods as Tables 5-6 write them, relative to the plan's first year B.
PERIOD_TEMPLATES = (
    "II semestre del {b0} (septiembre a diciembre)",
    "{b1}- {b5} (5 AÑOS)",
    "{b1}- {b3} (3 AÑOS)",
    "{b1}-{b5} (5 años)",
    "Desde el año {b2} en adelante",
    "II Semestre del {b0} - {b1}",
    "II Semestre del {b0} - {b2}",
    "{b2} - {b4}",
    "Año {b6} (12 meses)",
    "Desde el año {b6} en adelante",
    "Marzo a Diciembre del {b1}",
    "{b1}-{b2} (2 años)",
    "{b2}-{b5}",
    "{b6}-{b10}",
    "Desde el año {b8} en adelante",
    "I semestre del {b7}",
)

SECTORS = (
    "Metalmecánica",
    "Servicios de consultoría e ingeniería",
    "Acuicultura",
    "Vitivinícola",
    "Turismo de intereses especiales",
    "Minería no metálica",
    "Agroindustria",
    "Logística portuaria",
    "Energías renovables",
    "Alimentos procesados",
)
REGIONS = (
    "Arica y Parinacota",
    "Tarapacá",
    "Antofagasta",
    "Atacama",
    "Coquimbo",
    "Valparaíso",
    "O'Higgins",
    "Maule",
    "Ñuble",
    "Biobío",
    "La Araucanía",
    "Los Ríos",
    "Los Lagos",
    "Aysén",
    "Magallanes",
)
OBJECTIVE_TITLES = (
    "Desarrollar competencias en el ámbito productivo de las empresas del CER durante el periodo "
    "{b1}-{b5}",
    "Optimizar la utilización de recursos en las empresas pertenecientes al CER ({b1} a {b10})",
    "Fomentar y desarrollar esquemas de asociatividad entre las empresas del CER y los "
    "integrantes del cluster",
    "Desarrollar y consolidar la penetración de mercados externos en forma asociativa",
)
STRATEGY_THEMES = (
    "Implementar y certificar a las empresas del CER en estándares internacionales de calidad",
    "Desarrollar la visión estratégica de los empresarios y gerentes de las empresas del CER",
    "Buscar e identificar potenciales productos a fabricar por el sector",
    "Implementación de herramientas de control en las diferentes áreas de la empresa",
    "Implementación de planes de mantenimiento y calibración periódica de equipos",
    "Desarrollar e implementar un plan de capacitación anual para el personal",
    "Desarrollar e implementar un plan financiero anual",
    "Formar un proyecto asociativo de compras y ventas",
    "Difundir el plan del CER entre los integrantes del cluster y las autoridades regionales",
    "Incorporar innovación tecnológica en los procesos productivos",
    "Abrir mercados externos mediante misiones comerciales y ferias",
    "Vincular a las empresas del CER con universidades y centros tecnológicos",
)
ACTIVITY_VERBS = (
    "Organizar",
    "Formular e implementar",
    "Difundir y promover",
    "Realizar",
    "Coordinar",
    "Postular a financiamiento para",
    "Diseñar",
    "Evaluar",
)
ACTIVITY_OBJECTS = (
    "una misión tecnológica anual",
    "un seminario sobre nuevas tecnologías",
    "la participación en una feria internacional",
    "un programa de certificación en normas ISO 9001",
    "un estudio de mercado de destino",
    "un plan de difusión del instrumento de fomento",
    "una consultoría de diagnóstico de las empresas",
    "un curso de capacitación para supervisores",
    "una rueda de negocios con compañías mineras",
    "un catálogo de oferta exportable",
)
ACTIVITY_QUALIFIERS = (
    "para las empresas del CER",
    "en conjunto con la asociación gremial",
    "orientado a las empresas de menor tamaño",
    "con apoyo de Pro Chile",
    "con los integrantes del cluster",
    "",
)
GOAL_TEXTS = (
    (
        "Lograr que por lo menos el {v}% de las empresas del CER estén certificadas",
        "% de empresas del CER certificadas",
    ),
    (
        "Lograr que por lo menos el {v}% de las empresas participen en una misión tecnológica",
        "% de empresas del CER que asistieron a una misión",
    ),
    (
        "Lograr que el {v}% de las empresas contraten alumnos en práctica",
        "% de empresas que contratan alumnos en práctica",
    ),
    (
        "Lograr exportaciones asociativas por US$ {v} mil",
        "miles de US$ exportados en forma asociativa",
    ),
    (
        "Lograr que {v} empresas implementen un plan de mantenimiento",
        "empresas con plan de mantenimiento implementado",
    ),
)
GOAL_PLAIN_TEXTS = (
    "Lograr que el comité ejecutivo incorpore el desarrollo del CER en sus lineamientos",
    "Contar con un diagnóstico actualizado de las empresas del CER",
    "Obtener un plan de trabajo validado por los empresarios",
    "Mantener informados a los integrantes del cluster de los resultados del plan",
)
# (text, instrument names, share written in the text)
PUBLIC_FUNDING = (
    ("Instrumento PROFO", ("PROFO",), None),
    ("Instrumento PROFO O PDP (asesorías y capacitación)", ("PROFO", "PDP"), None),
    ("Instrumento INNOVA (CORFO)", ("INNOVA (CORFO)",), None),
    ("Instrumento FC (Fomento de la Calidad)", ("FC (Fomento de la Calidad)",), None),
    ("Franquicia Tributaria (SENCE)", ("Franquicia Tributaria (SENCE)",), None),
    ("Presupuesto de PROCHILE", ("Presupuesto PRO CHILE",), None),
    ("Presupuesto especial (CORFO o PTI)", ("Presupuesto especial CORFO", "PTI"), None),
    ("FNDR (70% del costo de la consultoría)", ("FNDR",), Decimal("70")),
)
PRIVATE_FUNDING = (
    ("50% del costo de implementación y certificación", Decimal("50")),
    ("30% Costo Proyecto asociativo", Decimal("30")),
    ("100% del costo de alumnos en práctica", Decimal("100")),
    ("50% del costo de Misión", Decimal("50")),
    ("Aporte de las empresas del CER", None),
)
ACTORS = (
    "CORFO",
    "PROCHILE",
    "SENCE",
    "Empresarios del CER",
    "Universidades Regionales",
    "Compañías Mineras",
    "Autoridades Regionales",
    "AIA",
    "OTEC",
    "Consultor Pro Chile",
    "Agencia de Fomento regional (AFR)",
    "Instituciones Bancarias",
    "Especialistas del tema",
    "Gerentes empresas del CER",
)
RESPONSIBLE_ACTORS = (
    "Director Pro Chile",
    "Director de Corfo",
    "Director AFR",
    "Gerente Proyecto asociativo",
    "Ejecutivo de Fomento INNOVA",
    "Director de Sence",
)
OBSTACLES = (
    "Tecnología tradicional en sus procesos, inferior a la de otras regiones del país",
    "Asociatividad baja entre las empresas del CER y con las instituciones",
    "Gestión interna de las empresas del sector",
    "Bajo interés en certificar normas de calidad nacionales e internacionales",
    "Escasa información sobre mercados externos",
)
MEASURES = (
    "Misiones tecnológicas al extranjero",
    "Charlas y seminarios de difusión",
    "Proyectos asociativos PROFO",
    "Programas de desarrollo de proveedores (PDP)",
    "Capacitación de gerentes y supervisores",
    "Consultorías especializadas",
    "Estudios de mercado",
)
PROGRESS_NOTES = (
    "Reunión de coordinación con los empresarios del CER.",
    "Se envió la postulación al instrumento de fomento.",
    "Consultor contratado; informe de avance recibido.",
    "Actividad difundida entre las empresas del CER.",
    "Se firmó el convenio con la institución colaboradora.",
    "Avance informado por el coordinador del CER.",
    "Se realizó la primera sesión con las empresas participantes.",
)
WAITING_NOTES = (
    "Sin avance: a la espera de financiamiento.",
    "Sin avance en el periodo.",
    "Preparación: se revisan los términos de referencia.",
)
REVISION_REASONS = (
    "Retraso en la aprobación del financiamiento CORFO.",
    "Reprogramada por cambio de fecha de la feria.",
    "A la espera de la licitación del Gobierno Regional.",
    "Las empresas pidieron posponerla por la carga de trabajo de fin de año.",
)
BLOCKED_NOTES = (
    "Bloqueada: el instrumento de fomento no abrió convocatoria.",
    "Bloqueada: falta la contraparte empresarial.",
)
CANCELLED_NOTES = (
    "Cancelada por acuerdo del directorio del CER.",
    "Cancelada: la reemplaza otra actividad del plan.",
)
# Final statuses of activities that have started, with their weights.
STATUS_WEIGHTS = (
    (Status.DONE, 30),
    (Status.IN_PROGRESS, 35),
    (Status.PENDING, 12),
    (Status.BLOCKED, 13),
    (Status.CANCELLED, 10),
)
