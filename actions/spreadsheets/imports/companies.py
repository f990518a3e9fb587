"""Companies of a CER: name, RUT and size. Matched by CER and name; admins only."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.plan import services as plan_services
from actions.spreadsheets.imports import columns as cells
from actions.spreadsheets.imports.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportKind,
    Operation,
    Preview,
    RowResult,
)
from actions.spreadsheets.imports.errors import CellError
from actions.spreadsheets.imports.scope import ClusterScope
from actions.spreadsheets.layouts.companies import COMPANY_COLUMNS, SIZE_WORDS
from clusters.models import Company
from clusters.rut import normalize_rut

NAME_MAX_LENGTH = Company._meta.get_field("name").max_length

_SIZE_OPTIONS = {}
for _size, _word in SIZE_WORDS.items():
    _SIZE_OPTIONS[cells.normalize(_word)] = _size.value
    _SIZE_OPTIONS[cells.normalize(_size.value)] = _size.value
    _SIZE_OPTIONS[cells.normalize(_size.label)] = _size.value
_SIZE_OPTIONS.update({"micro": Company.Size.MICRO.value, "pequena empresa": "small"})


def read_size(value):
    if not cells.text(value):
        return ""
    return cells.choice(
        value, _SIZE_OPTIONS, labels=list(SIZE_WORDS.values()), what=_("un tamaño de empresa")
    )


def read_rut(value):
    raw = cells.text(value)
    if not raw:
        return ""
    try:
        return normalize_rut(raw)
    except ValidationError:
        raise CellError(
            _("no es un RUT válido (revise el dígito verificador); escríbalo como 12.345.678-5.")
        ) from None


def _stored_rut(rut):
    try:
        return normalize_rut(rut) if rut else ""
    except ValidationError:
        return rut


class CompanyImport(ImportKind):
    key = "companies"
    title = gettext_lazy("Empresas de un CER")
    description = gettext_lazy(
        "Una fila por empresa: su CER, nombre, RUT y tamaño. Una empresa que ya está en el CER "
        "(mismo nombre) se actualiza; las demás se agregan."
    )
    columns = COMPANY_COLUMNS
    sheet_names = ("Empresas",)
    permission = "admin"

    def build(self, rows, *, user, cluster):
        scope = ClusterScope(user=user, cluster=cluster, permission="admin")
        preview = Preview(kind=self.key)
        existing = {}
        owners_of_rut = {}
        # All RUTs, not only the scope's: a RUT is unique across every CER.
        for company in Company.objects.select_related("cluster").order_by("id"):
            if company.cluster_id in scope.ids:
                existing[(company.cluster_id, cells.normalize(company.name))] = company
            if company.rut:
                owners_of_rut[_stored_rut(company.rut)] = company
        seen_names, seen_ruts = {}, {}
        for number, row in rows:
            result = RowResult(number=number)
            preview.rows.append(result)
            parsed = self._values(result, row, scope)
            if parsed is None:
                continue
            company_cluster, name, rut, size = parsed
            result.label = f"{company_cluster.slug} · {name}"
            key = (company_cluster.id, cells.normalize(name))
            first = seen_names.setdefault(key, number)
            if first != number:
                result.error(
                    _("la empresa ya aparece en la fila %(row)s: deje una sola fila por empresa.")
                    % {"row": first},
                    column="nombre",
                    value=name,
                )
                continue
            current = existing.get(key)
            if rut:
                first = seen_ruts.setdefault(rut, number)
                holder = owners_of_rut.get(rut)
                if first != number:
                    result.error(
                        _("ya aparece en la fila %(row)s: cada RUT es de una sola empresa.")
                        % {"row": first},
                        column="rut",
                        value=rut,
                    )
                    continue
                if holder is not None and (current is None or holder.pk != current.pk):
                    result.error(
                        _("ya es el RUT de «%(name)s» (CER «%(cer)s»).")
                        % {"name": holder.name, "cer": holder.cluster.slug},
                        column="rut",
                        value=rut,
                    )
                    continue
            if current is None:
                result.action = CREATE
                result.change("nombre", "", name)
                result.change("rut", "", rut)
                result.change("tamaño", "", SIZE_WORDS.get(size, size))
            else:
                if _stored_rut(current.rut) != rut:
                    result.change("rut", current.rut, rut)
                if current.size != size:
                    result.change(
                        "tamaño", SIZE_WORDS.get(current.size, ""), SIZE_WORDS.get(size, "")
                    )
                result.action = UPDATE if result.changes else UNCHANGED
            if result.action != UNCHANGED:
                preview.operations.append(
                    Operation(
                        row=number,
                        run=_upserter(company_cluster.id, current, name, rut, size),
                        columns={"name": "nombre", "rut": "rut", "size": "tamaño"},
                    )
                )
        return preview

    def _values(self, result, row, scope):
        parsed = {}
        readers = (
            ("cer", "cer", scope.find),
            ("name", "nombre", lambda v: cells.required_text(v, max_length=NAME_MAX_LENGTH)),
            ("rut", "rut", read_rut),
            ("size", "tamaño", read_size),
        )
        for key, column, read in readers:
            try:
                parsed[key] = read(row[key])
            except CellError as error:
                result.error(
                    error.problem, column=column, value=row[key], show_value=error.show_value
                )
        if result.errors:
            return None
        return parsed["cer"], parsed["name"], parsed["rut"], parsed["size"]


def _upserter(cluster_id, current, name, rut, size):
    company_id = current.pk if current is not None else None

    def run(user):
        plan_services.save_company(
            acting_user=user,
            company_id=company_id,
            cluster_id=cluster_id,
            name=name,
            rut=rut,
            size=size,
        )

    return run
