"""Words of the public pre-check added by the pre-check area (keys ``precheck.``)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the conforming part of the site on the result map (result.js)
    "precheck.conforming.legend": (
        "Bagian tapak yang sesuai (kegiatan tidak dilarang)",
        "Part of the site that conforms (the activity is not forbidden)",
    ),
    "precheck.conforming.some": (
        "Hijau bergaris putus-putus: {area} m² dari tapak ({share}) berada di zona yang tidak melarang "
        "kegiatan ini. Bagian lainnya dilarang atau di luar RDTR.",
        "Green with a dashed outline: {area} m² of the site ({share}) lies where this activity is not "
        "forbidden. The rest is forbidden or outside the RDTR.",
    ),
    "precheck.conforming.all": (
        "Seluruh tapak berada di zona yang tidak melarang kegiatan ini.",
        "The whole site lies where this activity is not forbidden.",
    ),
    "precheck.conforming.none": (
        "Tidak ada bagian tapak tempat kegiatan ini boleh dilakukan.",
        "No part of the site is where this activity may be carried out.",
    ),
    # the server-made PDF summary (api/routers/pages.py, kkpr/precheck_pdf.py)
    "precheck.pdf": ("Unduh ringkasan PDF (1 halaman)", "Download the summary as PDF (1 page)"),
    "precheck.pdf.limits": ("Batas untuk tapak ini", "Limits for this site"),
}
