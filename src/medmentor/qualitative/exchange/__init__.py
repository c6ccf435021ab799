"""Moving a program's qualitative work to and from NVivo, ATLAS.ti, MAXQDA and QualCoder:
REFI-QDA projects (.qdpx) and codebooks (.qdc).

`refi_qda` reads and writes the files (and checks them against the schemas); this module
maps them onto our models. How the two models meet:

| medmentor                         | REFI-QDA                                               |
|-----------------------------------|--------------------------------------------------------|
| coder, memo author (Person)       | User; GUID from the email (`person_guid`)              |
| Code (parent, position, color)    | Code nested in Code, in order; isCodable; color        |
| Code definition / when to use /   | the Code's Description, one labelled paragraph each    |
|   when not to use / example       |   (`code_description` and `code_description_parse`)    |
| Theme with its codes              | Set with MemberCode (and MemberNote for its memos)     |
| Document (codable) + attributes   | TextSource, text in sources/<guid>.txt; Variables      |
| Document kind                     | the Variable “Document kind”                           |
| Highlight [start, end) + codes    | PlainTextSelection with one Coding per code, made by   |
|                                   |   the coder; Coding GUID derived from both GUIDs        |
| Highlight.is_agreed               | the selection's Description “Agreed coding …”         |
| Memo on a code/document/theme/    | Note, referred to by NoteRef from the Code or          |
|   program                         |   TextSource, by MemberNote from the theme's Set, or   |
|                                   |   by the Project                                       |

Imports are all or nothing: the file is validated against the schema first, then every
reference and position is checked, and only then is anything written, in one transaction.
What the file holds that medmentor has no place for (pictures, PDFs, audio, video, links,
graphs, sets of sources) is listed in the result's `notices`, as the standard asks
(section 7), never silently dropped.
"""

from medmentor.qualitative.exchange.common import (
    ExchangeResult,
    code_description,
    code_description_parse,
    person_guid,
)
from medmentor.qualitative.exchange.export import project_build, qdc_export, qdpx_export
from medmentor.qualitative.exchange.importing import qdc_import, qdpx_import
from medmentor.qualitative.refi_qda import RefiQdaError

__all__ = [
    "ExchangeResult",
    "RefiQdaError",
    "code_description",
    "code_description_parse",
    "person_guid",
    "project_build",
    "qdc_export",
    "qdc_import",
    "qdpx_export",
    "qdpx_import",
]
