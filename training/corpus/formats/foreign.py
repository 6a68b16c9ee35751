"""The foreign annotation formats the registry offers: one module per tool, assembled here."""

from __future__ import annotations

from reviewlens.training.corpus.formats.brat import import_brat
from reviewlens.training.corpus.formats.docbin import export_docbin
from reviewlens.training.corpus.formats.doccano import import_doccano
from reviewlens.training.corpus.formats.labelstudio import import_labelstudio
from reviewlens.training.corpus.formats.prodigy import export_prodigy, import_prodigy
from reviewlens.training.corpus.formats.result import Exporter, Importer

IMPORTERS: dict[str, Importer] = {
    "labelstudio": import_labelstudio,
    "prodigy": import_prodigy,
    "doccano": import_doccano,
    "brat": import_brat,
}

EXPORTERS: dict[str, Exporter] = {
    "prodigy": export_prodigy,
    "docbin": export_docbin,
}
