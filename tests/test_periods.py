import re
from datetime import date

import pytest

from actions.plan.periods import Period, PeriodError, parse_date_phrase, parse_period

# Every period text of the report, verbatim, with its expected dates.
TABLE_5 = [
    (
        "II SEMESTRE DEL 2006 (septiembre a diciembre )",
        date(2006, 9, 1),
        date(2006, 12, 31),
    ),
    ("2007- 2011 (5 AÑOS)", date(2007, 1, 1), date(2011, 12, 31)),
    ("2007- 2009 (3 AÑOS)", date(2007, 1, 1), date(2009, 12, 31)),
    ("2007-2011 (5 años)", date(2007, 1, 1), date(2011, 12, 31)),
    ("Desde el año 2008 en adelante", date(2008, 1, 1), None),
    ("II Semestre del 2006 - 2007", date(2006, 7, 1), date(2007, 12, 31)),
    ("II Semestre del 2006 - 2008", date(2006, 7, 1), date(2008, 12, 31)),
    ("2008 - 2010", date(2008, 1, 1), date(2010, 12, 31)),
    ("Año 2012 (12 meses)", date(2012, 1, 1), date(2012, 12, 31)),
    ("Desde el año 2012 en adelante", date(2012, 1, 1), None),
    ("Desde el año 2014 en adelante", date(2014, 1, 1), None),
]
TABLE_6 = [
    (
        "II semestre del 2006 (septiembre a diciembre)",
        date(2006, 9, 1),
        date(2006, 12, 31),
    ),
    ("2007- 2009 (3 AÑOS)", date(2007, 1, 1), date(2009, 12, 31)),
    ("2007-2009 (3 años)", date(2007, 1, 1), date(2009, 12, 31)),
    ("Desde el año 2008 en adelante", date(2008, 1, 1), None),
    ("II Semestre del 2006 - 2007", date(2006, 7, 1), date(2007, 12, 31)),
    ("II Semestre del 2006 - 2008", date(2006, 7, 1), date(2008, 12, 31)),
    ("Marzo a Diciembre del 2007", date(2007, 3, 1), date(2007, 12, 31)),
    ("2007-2008 (2 años)", date(2007, 1, 1), date(2008, 12, 31)),
    ("2008-2011", date(2008, 1, 1), date(2011, 12, 31)),
]
# Variants the parser must tolerate: case, accents, spacing, other forms.
OTHER_FORMS = [
    ("  2010 ", date(2010, 1, 1), date(2010, 12, 31)),
    ("Año 2012", date(2012, 1, 1), date(2012, 12, 31)),
    ("ANO 2012 ( 12 MESES )", date(2012, 1, 1), date(2012, 12, 31)),
    ("I semestre del 2007", date(2007, 1, 1), date(2007, 6, 30)),
    ("ii SEMESTRE del 2006", date(2006, 7, 1), date(2006, 12, 31)),
    ("I Semestre del 2007 (febrero a marzo)", date(2007, 2, 1), date(2007, 3, 31)),
    ("MARZO a diciembre del 2007", date(2007, 3, 1), date(2007, 12, 31)),
    ("desde el ano 2008 en adelante", date(2008, 1, 1), None),
    ("2007 – 2011 (5 anos)", date(2007, 1, 1), date(2011, 12, 31)),
]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        pytest.param(*case, id=f"{table}:{case[0]}")
        for table, cases in (("t5", TABLE_5), ("t6", TABLE_6), ("other", OTHER_FORMS))
        for case in cases
    ],
)
def test_parses(text, start, end):
    assert parse_period(text) == Period(start, end)


def test_period_api():
    period = parse_period("II semestre del 2006 (septiembre a diciembre)")
    assert period.start == date(2006, 9, 1)
    assert period.end == date(2006, 12, 31)
    assert not period.is_open_ended
    assert parse_period("Desde el año 2008 en adelante").is_open_ended
    with pytest.raises(AttributeError):
        period.start = date(2000, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "foo bar",
        "2011-2009",
        "2007-2011 (3 años)",
        "2009-1011",
        "Diciembre a Marzo del 2007",
        "II semestre del 2006 (enero a marzo)",
        "III semestre del 2006",
        "II semestre del 2007 - 2006",
        "Año 2012 (6 meses)",
        "Marzo a Diciembrr del 2007",
        "2007-2011 años",
        "durante 2007",
    ],
)
def test_refuses(text):
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text)
    assert excinfo.value.text == text
    assert f"«{text}»" in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_mismatched_length_says_so():
    with pytest.raises(PeriodError, match="no coincide"):
        parse_period("2007-2011 (3 años)")


def test_generic_message_suggests_forms():
    with pytest.raises(PeriodError) as excinfo:
        parse_period("foo bar")
    assert str(excinfo.value) == (
        "No se puede interpretar el plazo «foo bar»: use por ejemplo «2007-2011», "
        "«II semestre del 2006», «Marzo a Diciembre del 2007» o «Desde el año "
        "2008 en adelante»."
    )


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        # Each phrase with which the 2006 report dates an activity inside its sentence.
        ("(año 2007)", date(2007, 1, 1), date(2007, 12, 31)),
        ("para el año 2007", date(2007, 1, 1), date(2007, 12, 31)),
        ("en el año 2007", date(2007, 1, 1), date(2007, 12, 31)),
        ("en el año 2010", date(2010, 1, 1), date(2010, 12, 31)),
        ("(I semestre del 2012)", date(2012, 1, 1), date(2012, 6, 30)),
        ("en II Semestre del año 2012", date(2012, 7, 1), date(2012, 12, 31)),
        ("(2011)", date(2011, 1, 1), date(2011, 12, 31)),
        ("(año 2014)", date(2014, 1, 1), date(2014, 12, 31)),
        ("(2015 en adelante)", date(2015, 1, 1), None),
        ("en el segundo semestre del 2007", date(2007, 7, 1), date(2007, 12, 31)),
    ],
)
def test_an_activitys_date_phrase(phrase, start, end):
    period = parse_date_phrase(phrase)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("phrase", ["(pronto)", "a más tardar a junio del 2007", "(2009-1011)"])
def test_a_date_phrase_that_is_not_a_period_is_refused_naming_it(phrase):
    with pytest.raises(PeriodError, match=re.escape(f"«{phrase}»")):
        parse_date_phrase(phrase)
