# ruff: noqa: E501
# Expected texts are the report's sentences, kept on one line each to compare with the source.
"""The 2006 plan fixture (fixtures/plan_2006.json) against the report's Tables 1-6.

The expectations here were written from the report itself, not computed from
fixtures/plan_2006_source.py, so that a transcription slip in one is caught by the other.
"""

import datetime
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from actions.models import (
    Activity,
    Actor,
    Funding,
    Goal,
    Instrument,
    Involvement,
    Objective,
    Strategy,
)
from actions.plan.periods import parse_date_phrase
from clusters.models import Cluster, Measure, Obstacle

METAL = "metalmecanica"
INGE = "consultoria-ingenieria"
D = datetime.date


@pytest.fixture
def loaded_plan(plan_2006):
    """The fixture as loaddata loads it (once per session: tests/conftest.py)."""


def strategy(slug, number):
    return Strategy.objects.get(cluster__slug=slug, number=number)


def activity(slug, code):
    return Activity.objects.get(cluster__slug=slug, code=code)


def goal(slug, number, position):
    return Goal.objects.get(
        strategy__cluster__slug=slug, strategy__number=number, position=position
    )


def funding(slug, number, kind):
    return list(
        Funding.objects.filter(strategy__cluster__slug=slug, strategy__number=number, kind=kind)
        .order_by("position")
        .values_list("text", flat=True)
    )


def actors(slug, number, role):
    return list(
        Involvement.objects.filter(strategy__cluster__slug=slug, strategy__number=number, role=role)
        .order_by("position")
        .values_list("actor__name", flat=True)
    )


# --- the two CERs and their size ------------------------------------------------------------

EXPECTED_SIZE = {
    METAL: {
        "obstacles": 3,
        "measures_per_obstacle": [8, 4, 2],
        "objectives": ["I", "II", "III", "IV"],
        "strategies_per_objective": {
            "I": [1, 2, 3, 4],
            "II": [5, 6, 7, 8],
            "III": [9, 10, 11],
            "IV": [12, 13, 14],
        },
        "activities_per_strategy": [1, 3, 5, 6, 6, 3, 3, 3, 4, 3, 2, 2, 3, 4],
        "goals_per_strategy": [1, 1, 4, 6, 5, 2, 2, 3, 4, 2, 1, 1, 2, 4],
        "public_funding": 24,
        "private_funding": 21,
        "involved": 63,
        "responsible": 33,
    },
    INGE: {
        "obstacles": 2,
        "measures_per_obstacle": [3, 5],
        "objectives": ["I", "II", "III", "IV"],
        "strategies_per_objective": {"I": [1, 2], "II": [3, 4], "III": [5, 6, 7], "IV": [8, 9, 10]},
        "activities_per_strategy": [1, 4, 6, 3, 4, 3, 2, 4, 5, 2],
        "goals_per_strategy": [1, 3, 4, 3, 4, 2, 1, 3, 4, 2],
        "public_funding": 20,
        "private_funding": 12,
        "involved": 51,
        "responsible": 27,
    },
}


@pytest.mark.django_db
def test_the_plan_has_the_two_cers_of_the_report(loaded_plan):
    metal = Cluster.objects.get(slug=METAL)
    inge = Cluster.objects.get(slug=INGE)
    assert Cluster.objects.count() == 2
    assert (metal.name, metal.sector, metal.region) == (
        "CER Metalmecánica",
        "Metalmecánica",
        "Antofagasta",
    )
    assert (inge.name, inge.sector, inge.region) == (
        "CER Servicios de Consultoría e Ingeniería",
        "Servicios de consultoría e ingeniería",
        "Antofagasta",
    )
    assert "sustitución de importaciones" in metal.description
    assert "exportaciones" in inge.description
    for cluster in (metal, inge):
        assert cluster.source == (
            "Informe final «Identificación de clusters exportadores regionales», Antofagasta, septiembre 2006"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [METAL, INGE])
def test_each_cer_has_the_size_of_the_report(loaded_plan, slug):
    expected = EXPECTED_SIZE[slug]
    cluster = Cluster.objects.get(slug=slug)
    obstacles = list(cluster.obstacles.order_by("position"))
    assert len(obstacles) == expected["obstacles"]
    assert [obstacle.measures.count() for obstacle in obstacles] == expected[
        "measures_per_obstacle"
    ]
    assert [o.position for o in obstacles] == list(range(1, expected["obstacles"] + 1))

    objectives = list(cluster.objectives.order_by("position"))
    assert [o.numeral for o in objectives] == expected["objectives"]
    assert {
        o.numeral: list(o.strategies.order_by("number").values_list("number", flat=True))
        for o in objectives
    } == expected["strategies_per_objective"]

    strategies = list(cluster.strategies.order_by("number"))
    assert [s.number for s in strategies] == list(
        range(1, len(expected["activities_per_strategy"]) + 1)
    )
    assert [s.activities.count() for s in strategies] == expected["activities_per_strategy"]
    assert [s.goals.count() for s in strategies] == expected["goals_per_strategy"]
    assert cluster.activities.count() == sum(expected["activities_per_strategy"])

    cluster_funding = Funding.objects.filter(strategy__cluster=cluster)
    assert cluster_funding.filter(kind="public").count() == expected["public_funding"]
    assert cluster_funding.filter(kind="private").count() == expected["private_funding"]
    cluster_involvements = Involvement.objects.filter(strategy__cluster=cluster)
    assert cluster_involvements.filter(role="involved").count() == expected["involved"]
    assert cluster_involvements.filter(role="responsible").count() == expected["responsible"]


@pytest.mark.django_db
def test_totals(loaded_plan):
    assert Activity.objects.count() == 48 + 34
    assert Goal.objects.count() == 38 + 27
    assert Strategy.objects.count() == 14 + 10
    assert Objective.objects.count() == 8
    assert Obstacle.objects.count() == 5
    assert Measure.objects.count() == 14 + 8
    assert Instrument.objects.count() == 14
    # 46 spellings as the report writes them, and the 3 organisations some of them stand for
    # that the report never writes as such (ProChile, Director ProChile, Gerente de proyecto
    # asociativo); the other two organisations are one of their spellings.
    assert Actor.objects.count() == 49
    assert Actor.objects.filter(involvements__isnull=False).distinct().count() == 46


# --- activity codes ---------------------------------------------------------------------------

EXPECTED_CODES = {
    METAL: [
        "1.1",
        "2.1", "2.2", "2.3",
        "3.1", "3.2", "3.3", "3.4", "3.5",
        "4.1", "4.2", "4.3", "4.4", "4.5", "4.6",
        "5.1", "5.2", "5.3", "5.4", "5.5", "5.6",
        "6.1", "6.2", "6.3",
        "7.1", "7.2", "7.3",
        "8.1", "8.2", "8.3",
        "9.1", "9.2", "9.3", "9.4",
        "10.1", "10.2", "10.3",
        "11.1", "11.2",
        "12.1", "12.2",
        "13.1", "13.2", "13.3",
        "14.1", "14.2", "14.3", "14.4",
    ],
    INGE: [
        "1.1",
        "2.1", "2.2", "2.3", "2.4",
        "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
        "4.1", "4.2", "4.3",
        "5.1", "5.2", "5.3", "5.4",
        "6.1", "6.2", "6.3",
        "7.1", "7.2",
        "8.1", "8.2", "8.3", "8.4",
        "9.1", "9.2", "9.3", "9.4", "9.5",
        "10.1", "10.2",
    ],
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [METAL, INGE])
def test_activity_codes_are_complete_and_in_order(loaded_plan, slug):
    codes = list(
        Activity.objects.filter(cluster__slug=slug)
        .order_by("strategy__number", "position")
        .values_list("code", flat=True)
    )
    assert codes == EXPECTED_CODES[slug]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [METAL, INGE])
def test_an_activity_code_starts_with_its_strategy_number(loaded_plan, slug):
    for item in Activity.objects.filter(cluster__slug=slug).select_related("strategy"):
        number, position = item.code.split(".")
        assert int(number) == item.strategy.number
        assert int(position) == item.position


# --- exact texts --------------------------------------------------------------------------------

EXPECTED_OBSTACLES = [
    (METAL, 3, "Gestión Interna de las empresas del sector"),
    (
        METAL,
        2,
        "Asociatividad baja entre las empresas del Cer y con las Instituciones (tanto públicos como privados) relacionadas con el Cluster Minero",
    ),
    (
        INGE,
        1,
        "Bajo interés en certificar e implementar normas de calidad nacionales e internacionales",
    ),
    (
        INGE,
        2,
        "Mínimas interrelaciones entre las empresas del CER y con las Instituciones de apoyo al Cluster Minero",
    ),
]

EXPECTED_MEASURES = [
    # the eighth measure of obstacle 1 is on the next page of Table 1
    (
        METAL,
        1,
        8,
        "Lograr que académicos de la Universidades regionales postulen y/o lideren proyectos (con fondos públicos y/o privados) relacionados con el desarrollo tecnológico de las empresas del CER",
    ),
    (
        METAL,
        1,
        5,
        "Búsqueda de productos que en la actualidad importen las Compañías Mineras, con el fin de evaluar la pre factibilidad y factibilidad de la fabricación en la región.",
    ),
    (
        METAL,
        3,
        1,
        "Implementas herramientas de control que permitan generar información para la toma de decisiones a nivel táctico, operativo y estratégico en los diferentes ámbitos de la organización.",
    ),
    # split by a page break in Table 2: one measure
    (
        INGE,
        1,
        3,
        "Sensibilizar a las empresas sobre las oportunidades de exportación que han generado los Tratados de libre Comercio para el sector y que para consolidarlas deben contar con la implementación y certificación de normas internacionales.",
    ),
    (
        INGE,
        2,
        5,
        "Desarrollar reuniones, charlas, seminarios orientados a incentivar la asociatividad entre las empresas del CER.",
    ),
]

EXPECTED_OBJECTIVES = [
    (
        METAL,
        "I",
        "Desarrollar competencias en el ámbito productivo de las empresas del CER durante el periodo 2007-2011",
    ),
    (
        METAL,
        "II",
        "Optimizar la utilización de recursos en las empresas pertenecientes al CER (2007 a 2017)",
    ),
    (METAL, "IV", "Fabricar y comercializar los nuevos productos"),
    (
        INGE,
        "II",
        "Optimizar la utilización de recursos en las empresas pertenecientes al CER (2007 a 2009)",
    ),
    (INGE, "IV", "Desarrollar y consolidar la penetración de mercado externos en forma asociativa"),
]

EXPECTED_STRATEGIES = [
    (
        METAL,
        1,
        "Difusión de estudio actual entre el directorio del comité ejecutivo del Clurter Minero, Agencia de Fomento Regional y Corfo, con el fin de sensibilizarlos en la importancia de fomentar el desarrollo del CER",
    ),
    (
        METAL,
        6,
        "Implementación de planes de Mantenimiento y calibración periódicas de equipos y maquinarias (metrología) usadas en la fabricación de productos, con el fin de garantizar el adecuado uso de estas y la exactitud de medidas en las piezas procesadas",
    ),
    (METAL, 12, "Poner en marcha fabrica de nuevos productos sustitutos"),
    (INGE, 7, "Incentivar a empresarios a participar en PROFO con fines de exportación"),
    (
        INGE,
        8,
        "Desarrollar la visión estratégica de los empresarios y/o gerentes sobre los mercado externo de interés",
    ),
]

EXPECTED_ACTIVITIES = [
    (
        METAL,
        "3.5",
        "Sensibilizar a las empresas participantes la importancia de incorporar en su estructura organizacional el área I&D",
        "Sensibilizar a las empresas para incorporar en su estructura organizacional el área I&D",
    ),
    (
        METAL,
        "4.6",
        "postulación al proyecto innova chile, para realizar estudio de preinversión para escalamiento de innovaciones tecnológicas, con el fin de cuantificar las inversiones e identificar fuentes de financiamiento tanto nacional como internacional para la puesta en marcha de fábrica de nuevos productos sustitutos de las importaciones (asesoría N° 3).",
        "postulación a innova chile, escalamiento de innovaciones tecnológicas, (asesoría Nº 3).",
    ),
    # split by a page break in Table 3: one activity
    (
        METAL,
        "8.1",
        "Realizar un diagnóstico financiero de las empresas interesadas en un proyecto asociativo (durante la etapa de formulación del proyecto asociativo, año 2008), con el fin de considerar en la etapa de ejecución del proyecto actividades y asesorías relacionadas con obtención y administración de los recursos financieros.",
        "Realizar un diagnostico financiero de las empresas interesadas en un proyecto asociativo",
    ),
    (
        METAL,
        "10.3",
        "Lograr que en el presupuesto del PTI del cluster Minero para el año 2007, Item para talleres y seminarios que incentiven la participación de los Integrantes del cluster, con el fin de considerar sus opiniones y participación en actividades a realizar en plan de acción del año 2008",
        "Lograr que PTI gestione vínculos con integrantes del cluster Minero",
    ),
    (
        METAL,
        "14.4",
        "Participación de empresas en programa PYME EXPORTA, para superar barreras de exportación (Instrumento Prochile) (2015 en adelante)",
        "Participación de empresas en programa PYME EXPORTA,",
    ),
    (
        INGE,
        "1.1",
        "Difusión de resultados de estudio de los CER y de la importancia de fomentar el desarrollo del cluster Servicios de Consultoría e Ingeniería en el segundo semestre del 2006",
        "Difusión de resultados de estudio de los CERs",
    ),
    # Table 6 splits the short text of 3.2 and 8.3 at a page break
    (
        INGE,
        "3.2",
        "Postulación al instrumento innova Chile (Innovación Precompetitiva fines públicos), para cofinanciar un sistema informático que sirva de apoyo al control y toma de decisiones de las empresas del CER.",
        "Postulación al instrumento innova Chile (Innovación Precompetitiva fines públicos), para cofinanciar un sistema informático",
    ),
    (
        INGE,
        "8.3",
        "Difundir los resultados mas relevantes de la misión a las empresas del sector, en especial a través de publicaciones en Internet e envío de archivos digitales a las empresas del CER.",
        "Difundir los resultados mas relevantes de la misión",
    ),
    (
        INGE,
        "7.2",
        "Postular con por lo menos 8 empresas interesadas a la etapa 1 del proyecto Profo en el segundo semestre del 2007.",
        "Postular con por lo menos 8 empresas interesadas a la etapa 1 del proyecto Profo en el segundo semestre del 2007.",
    ),
]

EXPECTED_GOALS = [
    (
        METAL,
        1,
        1,
        "Lograr que el Comité Ejecutivo Técnico del Cluster Minero y/o que la Agencia Regional de Fomento incorpore en los lineamientos estratégicos del año 2007 y posteriores el desarrollo del CER",
    ),
    # split by a page break in Table 3: one goal
    (
        METAL,
        3,
        3,
        "Lograr la participación de por lo menos el 80% de los empresarios o personal estratégico participe por lo menos 2 veces al año en charlas, seminarios o cursos de capacitación relacionados con tecnologías de producción en el periodo 2007-2009",
    ),
    (
        METAL,
        3,
        4,
        "Lograr el año 2010 que por lo menos el 50% de las empresas del CER hayan incorporado en su estructura organizacional el área I&D.",
    ),
    (
        METAL,
        4,
        6,
        "Obtención en asesoría N° 3, de fuentes de financiamiento nacionales e internacionales para cubrir costos de inversión de puesta en marcha de fábrica de productos sustitutos a los importados.(durante el año 2011)",
    ),
    (
        INGE,
        4,
        3,
        "De las empresas que participan en proyectos asociativos, anualmente deben cumplir por lo menos con un 75% del plan de capacitación propuesto. (desde el año 2008 en adelante)",
    ),
    (
        INGE,
        6,
        2,
        "Lograr que el PTI Cluster Minero, incorpore en su programa, actividades que incentiven la vinculación entre los integrantes del cluster (2007 en adelante)",
    ),
    (
        INGE,
        8,
        3,
        "Lograr la asistencia de por lo menos el 80% de los empresarios (y/o personal estratégico) como mínimo a 2 charlas, seminarios y/o cursos de capacitación relacionados con el ámbito de exportaciones.",
    ),
]

EXPECTED_FUNDING = [
    (METAL, 1, "public", ["Presupuesto de PROCHILE"]),
    (METAL, 1, "private", []),
    (
        METAL,
        4,
        "public",
        [
            "FNDR O PTI O ROYALTI CLUSTER MINERO (financiamiento asesoría Nº1 y Nº 2)",
            "PDP",
            "Instrumento INNOVA (CORFO)",
        ],
    ),
    (
        METAL,
        4,
        "private",
        [
            "30% del costo de PDP",
            "50% INNOVA (Planta piloto y prototipos)",
            "50% INNOVA (escalamiento de innovaciones tecnológica)",
        ],
    ),
    (
        METAL,
        5,
        "private",
        [
            "50% INNOVA (Diseño de prótido de SIA )",
            "30% costo NCH 2909",
            "100% costo de alumnos en practica",
        ],
    ),
    (METAL, 7, "private", ["% de costo de capitación no cubierta por CENCE"]),
    (METAL, 13, "public", []),
    (METAL, 13, "private", ["100% Financiamiento de actividades"]),
    (INGE, 3, "public", ["Instrumento INNOVA (CORFO)", "Instrumento FC (NCH 2909)"]),
    # the «Privados empresarios» bullets of strategies 3 and 10 are on the next page of Table 6
    (
        INGE,
        3,
        "private",
        [
            "50% INNOVA (Diseño de prototipo de SIA )",
            "30% costo NCH 2909",
            "100% costo de alumnos en practica",
        ],
    ),
    (
        INGE,
        5,
        "public",
        ["Presupuesto PRO CHILE", "Presupuesto especial CORFO (plan de difusión 2007)"],
    ),
    (
        INGE,
        8,
        "public",
        [
            "Instrumento INNOVA (CORFO)",
            "Presupuesto Pro Chile (Promoción Charlas Técnicas )",
            "Franquicia Tributaria (SENCE)",
        ],
    ),
    (
        INGE,
        10,
        "private",
        ["30% Costo PROFO", "50% Costo participación ferias", "50% costo programa PYME EXPORTA"],
    ),
]

EXPECTED_ACTORS = [
    (
        METAL,
        1,
        "involved",
        [
            "PROCHILE",
            "Consultor Pro Chile",
            "Empresarios de CER Metalmecánico",
            "Compañías Mineras",
            "Autoridades Regionales",
            "CORFO (CDP- PTI- Agencia de Fomento regional (AFR))",
            "AIA",
            "Universidades Regionales",
        ],
    ),
    (
        METAL,
        3,
        "responsible",
        ["Director AFR", "Ejecutivo de Fomento INNOVA", "Ejecutivo de Fomento de PTI"],
    ),
    (
        METAL,
        11,
        "involved",
        [
            "Empresarios de CER Metalmecánico",
            "Gerente de Proyecto asociativo",
            "Especialistas del tema",
        ],
    ),
    (
        METAL,
        12,
        "involved",
        [
            "Empresarios de CER Metalmecánico",
            "Instituciones Bancarias",
            "CORFO",
            "Consultor INNNOVA",
        ],
    ),
    (METAL, 12, "responsible", ["Ejecutivo Innova de", "Gerentes de empresas"]),
    (METAL, 13, "responsible", ["Gerentes empresas del CER"]),
    # Table 6: «Universidades» (strategy 3) and «PRO CHILE» (strategy 8) are on the next page
    (
        INGE,
        3,
        "involved",
        [
            "Agencia de Fomento regional (AFR)",
            "CORFO",
            "CDP",
            "Empresarios del CER",
            "Universidades",
        ],
    ),
    (
        INGE,
        8,
        "involved",
        [
            "Agencia de Fomento regional (AFR)",
            "CORFO",
            "Empresarios del CER",
            "CDP",
            "AIA",
            "SENCE",
            "Universidades",
            "OTIC",
            "OTEC",
            "PRO CHILE",
        ],
    ),
    (INGE, 8, "responsible", ["Director AFR", "Ejecutivo de Fomento INNOVA", "Director PRO CHILE"]),
    (INGE, 7, "responsible", ["Ejecutivo de fomento CDP", "Gerentes de empresas"]),
    (INGE, 10, "involved", ["Empresarios de CER", "Pro Chile"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "position", "title"), EXPECTED_OBSTACLES)
def test_obstacle_text(loaded_plan, slug, position, title):
    assert Obstacle.objects.get(cluster__slug=slug, position=position).title == title


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "obstacle", "position", "text"), EXPECTED_MEASURES)
def test_measure_text(loaded_plan, slug, obstacle, position, text):
    measure = Measure.objects.get(
        obstacle__cluster__slug=slug, obstacle__position=obstacle, position=position
    )
    assert measure.text == text


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "numeral", "title"), EXPECTED_OBJECTIVES)
def test_objective_text(loaded_plan, slug, numeral, title):
    objective = Objective.objects.get(cluster__slug=slug, numeral=numeral)
    assert objective.title == title
    assert objective.source == {METAL: "Tabla N°3", INGE: "Tabla N°4"}[slug]


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "number", "title"), EXPECTED_STRATEGIES)
def test_strategy_text(loaded_plan, slug, number, title):
    assert strategy(slug, number).title == title


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "code", "title", "schedule_title"), EXPECTED_ACTIVITIES)
def test_activity_texts(loaded_plan, slug, code, title, schedule_title):
    item = activity(slug, code)
    assert item.title == title
    assert item.schedule_title == schedule_title


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "number", "position", "text"), EXPECTED_GOALS)
def test_goal_text(loaded_plan, slug, number, position, text):
    assert goal(slug, number, position).text == text


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "number", "kind", "texts"), EXPECTED_FUNDING)
def test_funding_lines(loaded_plan, slug, number, kind, texts):
    assert funding(slug, number, kind) == texts


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "number", "role", "names"), EXPECTED_ACTORS)
def test_actors_of_a_strategy(loaded_plan, slug, number, role, names):
    assert actors(slug, number, role) == names


# --- committed periods (Tables 5-6) -----------------------------------------------------------

EXPECTED_PERIODS = [
    (METAL, 1, "II SEMESTRE DEL 2006 (septiembre a diciembre )", D(2006, 9, 1), D(2006, 12, 31)),
    (METAL, 2, "2007- 2011 (5 AÑOS)", D(2007, 1, 1), D(2011, 12, 31)),
    (METAL, 3, "2007- 2009 (3 AÑOS)", D(2007, 1, 1), D(2009, 12, 31)),
    (METAL, 4, "2007-2011 (5 años)", D(2007, 1, 1), D(2011, 12, 31)),
    (METAL, 5, "2007-2011 (5 años)", D(2007, 1, 1), D(2011, 12, 31)),
    (METAL, 6, "Desde el año 2008 en adelante", D(2008, 1, 1), None),
    (METAL, 7, "Desde el año 2008 en adelante", D(2008, 1, 1), None),
    (METAL, 8, "Desde el año 2008 en adelante", D(2008, 1, 1), None),
    (METAL, 9, "II Semestre del 2006 - 2007", D(2006, 7, 1), D(2007, 12, 31)),
    (METAL, 10, "II Semestre del 2006 - 2008", D(2006, 7, 1), D(2008, 12, 31)),
    (METAL, 11, "2008 - 2010", D(2008, 1, 1), D(2010, 12, 31)),
    (METAL, 12, "Año 2012 (12 meses)", D(2012, 1, 1), D(2012, 12, 31)),
    (METAL, 13, "Desde el año 2012 en adelante", D(2012, 1, 1), None),
    (METAL, 14, "Desde el año 2014 en adelante", D(2014, 1, 1), None),
    (INGE, 1, "II semestre del 2006 (septiembre a diciembre)", D(2006, 9, 1), D(2006, 12, 31)),
    (INGE, 2, "2007- 2009 (3 AÑOS)", D(2007, 1, 1), D(2009, 12, 31)),
    (INGE, 3, "2007-2009 (3 años)", D(2007, 1, 1), D(2009, 12, 31)),
    (INGE, 4, "Desde el año 2008 en adelante", D(2008, 1, 1), None),
    (INGE, 5, "II Semestre del 2006 - 2007", D(2006, 7, 1), D(2007, 12, 31)),
    (INGE, 6, "II Semestre del 2006 - 2008", D(2006, 7, 1), D(2008, 12, 31)),
    (INGE, 7, "Marzo a Diciembre del 2007", D(2007, 3, 1), D(2007, 12, 31)),
    (INGE, 8, "2007- 2009 (3 AÑOS)", D(2007, 1, 1), D(2009, 12, 31)),
    (INGE, 9, "2007-2008 (2 años)", D(2007, 1, 1), D(2008, 12, 31)),
    (INGE, 10, "2008-2011", D(2008, 1, 1), D(2011, 12, 31)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "number", "text", "start", "end"), EXPECTED_PERIODS)
def test_committed_period(loaded_plan, slug, number, text, start, end):
    item = strategy(slug, number)
    assert item.committed_period_text == text
    assert (item.committed_start, item.committed_end) == (start, end)
    assert item.source == {METAL: "Tabla N°3; Tabla N°5", INGE: "Tabla N°4; Tabla N°6"}[slug]


@pytest.mark.django_db
def test_every_strategy_has_a_period_in_the_table(loaded_plan):
    assert {(slug, number) for slug, number, *_ in EXPECTED_PERIODS} == set(
        Strategy.objects.values_list("cluster__slug", "number")
    )


@pytest.mark.django_db
def test_activities_start_pending_on_their_strategys_period_or_their_own_date(loaded_plan):
    """Planned dates are the strategy's committed period, unless the activity's own sentence
    dates it (issue 12, item 1): then they are that phrase's, kept verbatim beside them."""
    for item in Activity.objects.select_related("strategy"):
        if item.date_phrase:
            assert item.date_phrase in item.title, item.code
            own = parse_date_phrase(item.date_phrase)
            assert (item.planned_start, item.planned_end) == (own.start, own.end), item.code
        else:
            assert (item.planned_start, item.planned_end) == (
                item.strategy.committed_start,
                item.strategy.committed_end,
            ), item.code
        assert (item.status, item.progress, item.version) == ("pending", 0, 1)
        assert item.revised_end is None
        assert item.cluster_id == item.strategy.cluster_id


OWN_DATES = [
    # (CER, code, the phrase as written, planned start, planned end)
    (METAL, "7.1", "(año 2007)", D(2007, 1, 1), D(2007, 12, 31)),
    (METAL, "9.3", "para el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (METAL, "10.2", "en el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (METAL, "10.3", "para el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (METAL, "11.2", "en el año 2010", D(2010, 1, 1), D(2010, 12, 31)),
    (METAL, "12.1", "(I semestre del 2012)", D(2012, 1, 1), D(2012, 6, 30)),
    (METAL, "12.2", "en II Semestre del año 2012", D(2012, 7, 1), D(2012, 12, 31)),
    (METAL, "13.2", "(2011)", D(2011, 1, 1), D(2011, 12, 31)),
    (METAL, "14.2", "(año 2014)", D(2014, 1, 1), D(2014, 12, 31)),
    (METAL, "14.4", "(2015 en adelante)", D(2015, 1, 1), None),
    (INGE, "4.1", "(año 2007)", D(2007, 1, 1), D(2007, 12, 31)),
    (INGE, "5.3", "para el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (INGE, "6.2", "en el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (INGE, "6.3", "para el año 2007", D(2007, 1, 1), D(2007, 12, 31)),
    (INGE, "7.2", "en el segundo semestre del 2007", D(2007, 7, 1), D(2007, 12, 31)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("slug", "code", "phrase", "start", "end"), OWN_DATES)
def test_an_activity_dated_by_its_own_sentence(loaded_plan, slug, code, phrase, start, end):
    item = activity(slug, code)
    assert item.date_phrase == phrase
    assert (item.planned_start, item.planned_end) == (start, end)
    outside = start < item.strategy.committed_start or (
        item.strategy.committed_end and (end is None or end > item.strategy.committed_end)
    )
    # A date outside the strategy's committed period is a visible discrepancy, naming the phrase.
    if outside:
        assert "Discrepancia" in item.correction_note and phrase in item.correction_note, code


# --- errata -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ingenieria_activity_numbered_1_2_is_recorded_as_1_1(loaded_plan):
    item = activity(INGE, "1.1")
    assert item.source_code == "1.2"
    assert "1.2" in item.correction_note
    assert not Activity.objects.filter(cluster__slug=INGE, code="1.2").exists()


@pytest.mark.django_db
def test_the_second_14_3_of_metalmecanica_is_recorded_as_14_4(loaded_plan):
    first, second = activity(METAL, "14.3"), activity(METAL, "14.4")
    assert first.source_code == ""
    assert (
        first.title
        == "Desarrollo de una estrategia comercial para penetrar mercados internacionales."
    )
    assert second.source_code == "14.3"
    assert "14.3" in second.correction_note


@pytest.mark.django_db
def test_only_renumbered_activities_keep_a_source_code(loaded_plan):
    assert set(
        Activity.objects.exclude(source_code="").values_list("cluster__slug", "code", "source_code")
    ) == {(INGE, "1.1", "1.2"), (METAL, "14.4", "14.3")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "number", "position", "typo", "due"),
    [
        (INGE, 10, 2, "(2009-1011)", D(2011, 12, 31)),
        (METAL, 14, 4, "(2015-1017)", D(2017, 12, 31)),
    ],
)
def test_goal_year_typos_keep_the_text_and_correct_the_due_date(
    loaded_plan, slug, number, position, typo, due
):
    item = goal(slug, number, position)
    assert item.text.endswith(typo)
    assert item.due == due
    assert typo.strip("()") in item.correction_note
    assert str(due.year) in item.correction_note


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [METAL, INGE])
def test_clurter_minero_typo_is_noted(loaded_plan, slug):
    item = strategy(slug, 1)
    assert "Clurter Minero" in item.title
    assert "Cluster Minero" in item.correction_note


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "number", "text", "correction"),
    [
        (METAL, 5, "50% INNOVA (Diseño de prótido de SIA )", "prototipo"),
        (METAL, 7, "% de costo de capitación no cubierta por CENCE", "capacitación"),
        (METAL, 7, "% de costo de capitación no cubierta por CENCE", "SENCE"),
        (INGE, 4, "% de costo de capacitación no cubierta por CENCE", "SENCE"),
        (
            METAL,
            4,
            "FNDR O PTI O ROYALTI CLUSTER MINERO (financiamiento asesoría Nº1 y Nº 2)",
            "Royalty",
        ),
        (
            INGE,
            9,
            "FNDR O PTI O ROYALTI CLUSTER MINERO (financiamiento asesoría Nª1 y Nª 2)",
            "Nº3",
        ),
    ],
)
def test_funding_typos_are_noted(loaded_plan, slug, number, text, correction):
    line = Funding.objects.get(strategy__cluster__slug=slug, strategy__number=number, text=text)
    assert correction in line.correction_note


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "role", "name", "correction"),
    [
        (12, "involved", "Consultor INNNOVA", "«INNOVA»"),
        (12, "responsible", "Ejecutivo Innova de", "truncado"),
    ],
)
def test_actor_typos_are_noted(loaded_plan, number, role, name, correction):
    involvement = Involvement.objects.get(
        strategy__cluster__slug=METAL, strategy__number=number, role=role, actor__name=name
    )
    assert correction in involvement.correction_note


@pytest.mark.django_db
def test_empresarios_de_cer_metalmecanico_is_one_actor_split_by_the_layout(loaded_plan):
    empresarios = Actor.objects.get(name="Empresarios de CER Metalmecánico")
    assert not Actor.objects.filter(name="Metalmecánico").exists()
    # «Empresarios de CER» on its own is written only in Table 6 (Ingeniería, strategy 10)
    assert set(
        Involvement.objects.filter(actor__name="Empresarios de CER").values_list(
            "strategy__cluster__slug", "strategy__number"
        )
    ) == {(INGE, 10)}
    involvements = {
        i.strategy.number: i.correction_note
        for i in empresarios.involvements.select_related("strategy")
    }
    assert sorted(involvements) == [1, 9, 10, 11, 12, 13, 14]
    # strategies 1 and 9 write it on one line; 10-14 split it in two
    assert involvements[1] == involvements[9] == ""
    for number in (10, 11, 12, 13, 14):
        assert "«Metalmecánico»" in involvements[number]


@pytest.mark.django_db
def test_table_discrepancies_are_noted(loaded_plan):
    assert "«(año 2007)»" in activity(METAL, "7.1").correction_note
    assert "«(2011)»" in activity(METAL, "13.2").correction_note
    assert "«(año 2007)»" in activity(INGE, "4.1").correction_note
    assert "Facultades de Universidades" in activity(INGE, "6.2").correction_note
    assert "2008-2011" in strategy(INGE, 10).correction_note


# --- goal indicators ----------------------------------------------------------------------------

EXPECTED_INDICATORS = [
    # The indicator keeps the sentence's condition (issue 12, item 5).
    (
        METAL,
        2,
        1,
        Decimal(80),
        "% de empresas del CER certificadas en por lo menos 2 normas internacionales",
        D(2011, 12, 31),
    ),
    (
        METAL,
        3,
        3,
        Decimal(80),
        "% de empresarios o personal estratégico que participa 2 veces al año en charlas, seminarios o cursos",
        D(2009, 12, 31),
    ),
    (METAL, 4, 1, None, "", D(2007, 6, 30)),
    (METAL, 4, 2, None, "", D(2007, 10, 31)),
    (METAL, 4, 5, None, "", D(2009, 3, 31)),
    (METAL, 5, 2, None, "", D(2007, 6, 30)),
    (METAL, 7, 2, Decimal(75), "% de cumplimiento anual del plan de capacitación", None),
    (
        METAL,
        9,
        1,
        Decimal(100),
        "% de empresas del CER registradas que reciben el estudio",
        D(2006, 12, 31),
    ),
    # Targets written in words count too: «una asociación gremial» is 1.
    (METAL, 11, 1, Decimal(1), "asociación gremial formada", D(2010, 12, 31)),
    (METAL, 14, 3, Decimal(1), "PROFO exportador", D(2014, 12, 31)),
    (METAL, 13, 2, Decimal(2), "ferias nacionales relacionadas con la minería", None),
    (METAL, 14, 2, Decimal(6), "ferias internacionales al año", None),
    (
        METAL,
        14,
        4,
        Decimal(100),
        "% de empresas del PROFO en el programa PYME EXPORTA",
        D(2017, 12, 31),
    ),
    (INGE, 2, 2, Decimal(2), "Compañías Mineras comprometidas por semestre", None),
    (INGE, 2, 3, Decimal(60), "% de empresas del CER certificadas en ISO 9000", D(2009, 12, 31)),
    (INGE, 7, 1, Decimal(1), "PROFO con fines de exportación", D(2008, 12, 31)),
    (INGE, 9, 4, Decimal(1), "PROFO de exportación en ejecución", D(2008, 6, 30)),
    (INGE, 10, 1, Decimal(2), "ferias internacionales al año", None),
    (
        INGE,
        10,
        2,
        Decimal(100),
        "% de empresas del PROFO en el programa PYME EXPORTA",
        D(2011, 12, 31),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "number", "position", "target", "unit", "due"), EXPECTED_INDICATORS
)
def test_goal_indicator(loaded_plan, slug, number, position, target, unit, due):
    item = goal(slug, number, position)
    assert (item.target_value, item.unit, item.due) == (target, unit, due)


@pytest.mark.django_db
def test_goals_with_a_percentage_have_a_percent_target(loaded_plan):
    for item in Goal.objects.all():
        if "%" in item.text:
            assert item.target_value is not None, item.text
            assert item.unit.startswith("%"), item.text
        if item.target_value is not None:
            assert item.unit


@pytest.mark.django_db
def test_open_ended_goals_have_no_due_date(loaded_plan):
    for item in Goal.objects.filter(text__contains="en adelante"):
        assert item.due is None, item.text


# --- instruments and funding --------------------------------------------------------------------


def instrument_names(slug, number, text):
    line = Funding.objects.get(strategy__cluster__slug=slug, strategy__number=number, text=text)
    return sorted(line.instruments.values_list("name", flat=True)), line.share_percent


@pytest.mark.django_db
def test_funding_links_every_instrument_the_line_names(loaded_plan):
    assert instrument_names(METAL, 8, "Instrumento PROFO O PDP (asesorías y capacitación )") == (
        ["PDP", "PROFO"],
        None,
    )
    assert instrument_names(METAL, 11, "Instrumento PROFO O PDP") == (["PDP", "PROFO"], None)
    assert instrument_names(
        METAL, 4, "FNDR O PTI O ROYALTI CLUSTER MINERO (financiamiento asesoría Nº1 y Nº 2)"
    ) == (
        ["FNDR", "PTI", "Royalty Cluster Minero"],
        None,
    )
    assert instrument_names(METAL, 14, "30% Costo PROFO") == (["PROFO"], Decimal(30))
    assert instrument_names(METAL, 14, "50% costo programa PYME EXPORTA") == (
        ["PYME EXPORTA (Pro Chile)"],
        Decimal(50),
    )
    assert instrument_names(METAL, 4, "30% del costo de PDP") == (["PDP"], Decimal(30))
    assert instrument_names(METAL, 2, "50% del costo de implementación y certificación") == (
        [],
        Decimal(50),
    )
    assert instrument_names(METAL, 7, "% de costo de capitación no cubierta por CENCE") == (
        ["Franquicia Tributaria (SENCE)"],
        None,
    )
    assert instrument_names(INGE, 2, "Instrumento FC (CORFO-CDP)") == (
        ["FC (Fomento de la Calidad)"],
        None,
    )
    assert instrument_names(INGE, 9, "30% del costo de PROFO") == (["PROFO"], Decimal(30))
    assert instrument_names(METAL, 12, "Garantías SICOSUR (CORFO)") == (
        ["Garantías SICOSUR (CORFO)"],
        None,
    )


@pytest.mark.django_db
def test_public_lines_name_an_instrument_and_state_no_share(loaded_plan):
    for line in Funding.objects.filter(kind="public"):
        assert line.instruments.exists(), line.text
        assert line.share_percent is None, line.text


@pytest.mark.django_db
def test_a_stated_percentage_is_the_share(loaded_plan):
    for line in Funding.objects.filter(kind="private"):
        head = line.text.split("%")[0]
        expected = Decimal(head) if head.isdigit() else None
        assert line.share_percent == expected, line.text


@pytest.mark.django_db
def test_instruments_are_described(loaded_plan):
    assert set(Instrument.objects.values_list("name", flat=True)) >= {
        "PROFO",
        "PDP",
        "INNOVA (CORFO)",
        "FC (Fomento de la Calidad)",
        "Franquicia Tributaria (SENCE)",
        "Presupuesto PRO CHILE",
        "Presupuesto especial CORFO",
        "PTI",
        "FNDR",
        "Royalty Cluster Minero",
        "Garantías SICOSUR (CORFO)",
        "PYME EXPORTA (Pro Chile)",
    }
    assert not Instrument.objects.filter(description="").exists()


@pytest.mark.django_db
def test_identical_actors_are_shared_between_strategies_and_cers(loaded_plan):
    consultor = Actor.objects.get(name="Consultor Pro Chile")
    assert set(consultor.involvements.values_list("strategy__cluster__slug", flat=True)) == {
        METAL,
        INGE,
    }
    # Director AFR is responsible for Metalmecánica 2, 3, 4, 5, 7 and Ingeniería 2, 3, 4, 8, 9
    assert Involvement.objects.filter(actor__name="Director AFR", role="responsible").count() == 10


# --- traceability -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [Cluster, Obstacle, Measure, Objective, Strategy, Activity, Goal, Funding, Involvement]
)
def test_every_object_names_its_source(loaded_plan, model):
    assert model.objects.exists()
    assert not model.objects.filter(source="").exists()


@pytest.mark.django_db
def test_sources_name_the_tables(loaded_plan):
    assert set(Obstacle.objects.values_list("cluster__slug", "source")) == {
        (METAL, "Tabla N°1"),
        (INGE, "Tabla N°2"),
    }
    assert set(Goal.objects.values_list("strategy__cluster__slug", "source")) == {
        (METAL, "Tabla N°3"),
        (INGE, "Tabla N°4"),
    }
    assert set(Funding.objects.values_list("strategy__cluster__slug", "source")) == {
        (METAL, "Tabla N°5"),
        (INGE, "Tabla N°6"),
    }


def test_the_fixture_file_is_regenerated_from_its_source_module():
    path = Path(settings.BASE_DIR) / "fixtures" / "plan_2006_source.py"
    spec = importlib.util.spec_from_file_location("plan_2006_source", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (Path(settings.BASE_DIR) / "fixtures" / "plan_2006.json").read_text(encoding="utf-8")
    assert written == module.render(module.build()), (
        "fixtures/plan_2006.json is stale: run DJANGO_DEBUG=1 .venv/bin/python fixtures/plan_2006_source.py"
    )
