"""The pages' words: Bahasa Indonesia first, English on request.

The language comes from ``?lang=`` (remembered in a cookie), else the cookie, else the
browser's Accept-Language, else Indonesian. Messages are ``{placeholder}`` templates,
filled on the server (Jinja) and in the browser (the catalogue of one language is
embedded in the page).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from fastapi import Request

from kkpr.text import ITBX_WORDS

LANGUAGES = ("id", "en")
DEFAULT = "id"
COOKIE = "kkpr_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600  # a remembered language choice

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- frame
    "app.title": ("Kesesuaian lokasi usaha (KKPR)", "Business site conformity (KKPR)"),
    "nav.skip": ("Langsung ke isi", "Skip to content"),
    "nav.label": ("Navigasi", "Navigation"),
    "nav.other_lang": ("English", "Bahasa Indonesia"),
    "nav.staff": ("Petugas", "Staff"),
    "nav.precheck": ("Cek lokasi", "Pre-check"),
    "foot.sample": (
        "Data rencana contoh (sintetis) untuk uji coba. Hasil pra-periksa bukan dokumen KKPR.",
        "Sample (synthetic) plan data for trials. A pre-check result is not a KKPR document.",
    ),
    # ---- document verification (a QR code scanned on a phone lands here)
    "ver.title": ("Periksa keaslian dokumen KKPR", "Check a KKPR document"),
    "ver.lead": (
        "Ketik nomor dokumen dan kode verifikasi yang tercetak di bawah kode QR-nya.",
        "Type the document number and the verification code printed below its QR code.",
    ),
    "ver.number": ("Nomor dokumen", "Document number"),
    "ver.code": ("Kode verifikasi", "Verification code"),
    "ver.code_help": (
        "Enam belas huruf dan angka, mis. ABCD-EFGH-JKLM-NPQR.",
        "Sixteen letters and digits, e.g. ABCD-EFGH-JKLM-NPQR.",
    ),
    "ver.submit": ("Periksa", "Check"),
    "ver.number_missing": ("Isi nomor dokumen.", "Enter the document number."),
    "ver.changed.headline": ("Tidak cocok", "Does not match"),
    "ver.changed.text": (
        "Kode ini bukan kode dokumen {number} yang diterbitkan. Salinan yang Anda pegang "
        "mungkin telah diubah, atau kodenya salah ketik.",
        "This is not the code of document {number} as issued. The copy you hold may have "
        "been changed, or the code was mistyped.",
    ),
    "ver.unknown.headline": ("Tidak dikenal", "Unknown"),
    "ver.unknown.text": (
        "Tidak ada dokumen KKPR bernomor {number}. Periksa nomornya sekali lagi.",
        "There is no KKPR document numbered {number}. Check the number once more.",
    ),
    "ver.ask_office": (
        "Jika ragu, tanyakan ke kantor DPMPTSP atau PUPR yang menerbitkannya.",
        "If in doubt, ask the DPMPTSP or PUPR office that issued it.",
    ),
    # ---- application tracking (/lacak)
    "nav.track": ("Lacak permohonan", "Track an application"),
    "trk.title": ("Lacak permohonan KKPR", "Track a KKPR application"),
    "trk.lead": (
        "Ketik nomor permohonan dan kode akses yang Anda terima saat mengajukan.",
        "Type the application number and the access code you received when you applied.",
    ),
    "trk.number": ("Nomor permohonan", "Application number"),
    "trk.code": ("Kode akses", "Access code"),
    "trk.code_help": (
        "Enam belas huruf dan angka, mis. ABCD-EFGH-JKLM-NPQR. Huruf besar atau kecil "
        "dan tanda hubung tidak berpengaruh.",
        "Sixteen letters and digits, e.g. ABCD-EFGH-JKLM-NPQR. Upper or lower case and "
        "dashes do not matter.",
    ),
    "trk.submit": ("Lihat status", "Show the status"),
    "trk.number_missing": ("Isi nomor permohonan.", "Enter the application number."),
    "trk.code_missing": ("Isi kode akses.", "Enter the access code."),
    "trk.nomatch.headline": ("Tidak ditemukan", "Not found"),
    "trk.nomatch.text": (
        "Nomor permohonan dan kode akses ini tidak cocok. Periksa keduanya sekali lagi.",
        "This application number and access code do not match. Check both once more.",
    ),
    "trk.limit.headline": ("Terlalu banyak percobaan", "Too many attempts"),
    "trk.limit.text": (
        "Tunggu {seconds} detik, lalu coba lagi.",
        "Wait {seconds} seconds, then try again.",
    ),
    "trk.ask_office": (
        "Kode akses hilang? Tanyakan ke kantor DPMPTSP dengan membawa tanda pengenal.",
        "Lost the access code? Ask the DPMPTSP office, bringing your identity card.",
    ),
    "trk.business": ("Usaha", "Business"),
    "trk.submitted": ("Diajukan", "Submitted"),
    "trk.stage": ("Tahap", "Stage"),
    "trk.state": ("Keadaan", "State"),
    "trk.stage.KKPR": ("Kesesuaian ruang (KKPR)", "Spatial conformity (KKPR)"),
    "trk.stage.PERSETUJUAN_LINGKUNGAN": ("Persetujuan lingkungan", "Environmental approval"),
    "trk.stage.PBG": ("Persetujuan bangunan gedung (PBG)", "Building approval (PBG)"),
    "trk.stage.SLF": ("Sertifikat laik fungsi (SLF)", "Certificate of fitness for use (SLF)"),
    "trk.stage.PERIZINAN_BERUSAHA": ("Perizinan berusaha", "Business licence"),
    "trk.stage_status.pending": ("belum dimulai", "not started"),
    "trk.stage_status.in_progress": ("sedang diproses", "in progress"),
    "trk.stage_status.in_review": ("sedang dikaji", "under review"),
    "trk.stage_status.completed": ("selesai", "completed"),
    "trk.stage_status.rejected": ("ditolak", "refused"),
    "trk.clock": ("Batas waktu", "Deadline"),
    "trk.clock.not_started": (
        "Hitungan hari kerja belum dimulai: dimulai setelah berkas dinyatakan lengkap.",
        "The working-day count has not started: it starts once the file is complete.",
    ),
    "trk.clock.left": (
        "Sisa {days} hari kerja (paling lambat {deadline}).",
        "{days} working days left (by {deadline} at the latest).",
    ),
    "trk.clock.overdue": (
        "Batas waktu {deadline} telah lewat.",
        "The deadline of {deadline} has passed.",
    ),
    "trk.clock.paused": (
        "Hitungan hari kerja berhenti sementara; sisa {days} hari kerja.",
        "The working-day count is paused; {days} working days left.",
    ),
    "trk.clock.because": ("Sebabnya: {reason}", "Because: {reason}"),
    "trk.clock.ended": ("Hitungan hari kerja telah selesai.", "The working-day count is over."),
    "trk.missing": ("Yang masih kurang", "What is still missing"),
    "trk.missing_help": (
        "Lengkapi lalu kirim ulang melalui OSS atau ke kantor DPMPTSP.",
        "Complete these and send them again through OSS or to the DPMPTSP office.",
    ),
    "trk.bill": ("Tagihan PNBP", "PNBP bill"),
    "trk.bill.text": (
        "Kode billing {kode}, Rp{nominal}, bayar sebelum {expire}.",
        "Billing code {kode}, IDR {nominal}, pay before {expire}.",
    ),
    "trk.decision": ("Keputusan", "Decision"),
    "trk.decision.on": ("pada {date}", "on {date}"),
    "trk.decision.area": ("Luas disetujui: {m2} m²", "Approved area: {m2} m²"),
    "trk.decision.until": ("Berlaku sampai {date}", "Valid until {date}"),
    "trk.decision.record": ("Lihat dokumen keputusan", "See the decision document"),
    "trk.outcome": ("Hasil pemeriksaan", "Check result"),
    "trk.after_submit": (
        "Simpan nomor permohonan dan kode akses Anda: keduanya dipakai untuk melacak "
        "permohonan di halaman ini.",
        "Keep your application number and access code: you need both to follow the "
        "application on this page.",
    ),
    # ---- pre-check form
    "pc.title": ("Cek awal kesesuaian lokasi usaha", "Pre-check: may my business use this site?"),
    "pc.lead": (
        "Tentukan lokasi, pilih kegiatan usaha (KBLI), isi data bangunan, lalu lihat apakah "
        "rencana tata ruang (RDTR) mengizinkannya.",
        "Find the place, choose the business activity (KBLI), give the building figures, "
        "and see whether the detailed spatial plan (RDTR) allows it.",
    ),
    "pc.site.legend": ("Lokasi", "Location"),
    "pc.site.help": (
        "Ketuk peta untuk menandai titik, gambar batas tapak, ketik koordinat, atau unggah berkas.",
        "Tap the map to mark a point, draw the site boundary, type coordinates, or upload a file.",
    ),
    "pc.site.place": ("Cari tempat", "Find a place"),
    "pc.site.place_placeholder": (
        "mis. Oebobo, Kelapa Lima, pasar",
        "e.g. Oebobo, Kelapa Lima, market",
    ),
    "pc.site.place_help": (
        "Nama kelurahan, kecamatan, blok, jalan atau tempat terkenal; salah ketik tidak apa-apa.",
        "A village, district, block, street or landmark name; typos are fine.",
    ),
    "pc.site.place_none": (
        "Tidak ada tempat dengan nama itu di wilayah rencana. Coba nama kelurahan terdekat.",
        "No place of that name in the plan's region. Try the nearest village's name.",
    ),
    "pc.site.locate": ("Lokasi saya", "My location"),
    "pc.site.locating": ("Mencari lokasi Anda…", "Finding your location…"),
    "pc.site.located": (
        "Lokasi Anda ditandai (ketelitian ±{m} m). Geser peta atau ketuk titik yang tepat.",
        "Your location is marked (accurate to ±{m} m). Move the map or tap the exact spot.",
    ),
    "err.locate_denied": (
        "Izin lokasi ditolak. Izinkan lokasi untuk halaman ini di pengaturan peramban, "
        "atau cari nama tempat.",
        "Location permission was refused. Allow location for this page in the browser "
        "settings, or search for a place name.",
    ),
    "err.locate_failed": (
        "Lokasi Anda tidak dapat ditemukan. Nyalakan GPS lalu coba lagi, atau cari nama tempat.",
        "Your location could not be found. Turn on GPS and try again, or search for a place name.",
    ),
    "place.kelurahan": ("kelurahan", "village"),
    "place.kecamatan": ("kecamatan", "district"),
    "place.blok": ("blok", "block"),
    "place.jalan": ("jalan", "street"),
    "place.tempat": ("tempat", "landmark"),
    "place.geocoder": ("peta daring", "online map"),
    "pc.site.lat": ("Lintang (latitude)", "Latitude"),
    "pc.site.lon": ("Bujur (longitude)", "Longitude"),
    "pc.site.goto": ("Tandai koordinat di peta", "Mark these coordinates on the map"),
    "pc.site.tools": ("Alat gambar tapak", "Site drawing tools"),
    "pc.site.draw": ("Gambar batas tapak", "Draw the site boundary"),
    "pc.site.clear": ("Hapus lokasi", "Clear the location"),
    "pc.site.upload": ("Atau unggah batas tapak", "Or upload the site boundary"),
    "pc.site.upload_help": (
        "Peta batas tapak yang disimpan dari aplikasi peta: berkas .geojson atau .kml, "
        "atau Shapefile dalam .zip (dengan .shp, .shx, .dbf, .prj).",
        "A map of the site boundary saved from a map application: a .geojson or .kml file, "
        "or a Shapefile in a .zip (with .shp, .shx, .dbf, .prj).",
    ),
    "pc.site.none": ("Belum ada lokasi.", "No location yet."),
    "pc.site.drawing": (
        "Ketuk sudut-sudut tapak di peta; ketuk titik pertama atau «Selesai» untuk menutup.",
        "Tap the site's corners on the map; tap the first point or «Finish» to close it.",
    ),
    "pc.site.reading": ("Membaca berkas…", "Reading the file…"),
    "pc.site.point": ("Titik: {lat}, {lon}", "Point: {lat}, {lon}"),
    "pc.site.polygon": (
        "Tapak: {parts} poligon, {vertices} titik sudut, ± {area} m²",
        "Site: {parts} polygon(s), {vertices} corners, about {area} m²",
    ),
    "pc.site.merged": ("({n} fitur digabung)", "({n} features merged)"),
    "pc.kbli.legend": ("Kegiatan usaha (KBLI)", "Business activity (KBLI)"),
    "pc.kbli.search": ("Cari dengan kata atau kode KBLI", "Search by words or KBLI code"),
    "pc.kbli.placeholder": ("mis. minimarket, roti, 56101", "e.g. minimarket, roti, 56101"),
    "pc.kbli.help": (
        "Ketik minimal 2 huruf atau angka, lalu pilih dari daftar.",
        "Type at least 2 letters or digits, then choose from the list.",
    ),
    "pc.kbli.phrase": ("untuk “{frasa}”", "for “{frasa}”"),
    "pc.kbli.row": ("Kegiatan dalam rencana: {kegiatan}", "Plan activity: {kegiatan}"),
    "pc.kbli.not_in_plan": (
        "Tidak diatur dalam rencana ini: tanyakan ke DPMPTSP",
        "Not covered by this plan: ask the DPMPTSP office",
    ),
    "pc.kbli.none": ("Tidak ada KBLI yang cocok.", "No matching KBLI."),
    "pc.kbli.chosen": ("Dipilih: {kode} {judul}", "Chosen: {kode} {judul}"),
    "pc.kbli.did_you_mean": ("Mungkin maksud Anda:", "Did you mean:"),
    "pc.bld.legend": ("Data bangunan", "Building figures"),
    "pc.bld.help": (
        "Boleh dikosongkan; batas yang tidak dapat diperiksa akan disebutkan. Luas lahan "
        "diperlukan jika lokasi berupa titik.",
        "Optional; limits that cannot be checked are named. The land area is needed when "
        "the location is a point.",
    ),
    "pc.bld.land_area_m2": ("Luas lahan", "Land area"),
    "pc.bld.footprint_m2": ("Luas dasar bangunan", "Building footprint"),
    "pc.bld.floor_area_m2": ("Luas seluruh lantai", "Total floor area"),
    "pc.bld.floors": ("Jumlah lantai", "Number of floors"),
    "pc.bld.height_m": ("Tinggi bangunan", "Building height"),
    "pc.bld.green_area_m2": ("Luas ruang hijau", "Green area"),
    "pc.submit": ("Periksa kesesuaian", "Check conformity"),
    "pc.checking": ("Memeriksa…", "Checking…"),
    "pc.map.label": ("Peta zona rencana dan lokasi Anda", "Map of the plan's zones and your site"),
    "pc.map.help": (
        "Warna = sub-zona rencana. Ketuk peta untuk memilih titik.",
        "Colours = the plan's sub-zones. Tap the map to choose a point.",
    ),
    "map.legend": ("Legenda", "Legend"),
    "map.site": ("Lokasi Anda", "Your site"),
    "map.load_error": ("Zona rencana tidak dapat dimuat.", "The plan's zones could not be loaded."),
    "map.zoom_in": (
        "Perbesar peta untuk melihat semua zona.",
        "Zoom in to see every zone.",
    ),
    # ---- drawing
    "draw.start": ("Ketuk untuk titik sudut pertama.", "Tap to place the first corner."),
    "draw.cont": ("Ketuk untuk titik sudut berikutnya.", "Tap to place the next corner."),
    "draw.end": (
        "Ketuk titik pertama atau «Selesai» untuk menutup.",
        "Tap the first point or «Finish» to close.",
    ),
    "draw.error": (
        "<strong>Galat:</strong> sisi tapak tidak boleh bersilangan!",
        "<strong>Error:</strong> the site's edges must not cross!",
    ),
    "draw.finish": ("Selesai", "Finish"),
    "draw.undo": ("Hapus titik terakhir", "Remove last corner"),
    "draw.cancel": ("Batal", "Cancel"),
    # ---- input errors
    "err.site_missing": (
        "Tentukan lokasi dulu: ketuk peta, gambar batas tapak, ketik koordinat atau unggah berkas.",
        "Choose the location first: tap the map, draw the site, type coordinates or upload a file.",
    ),
    "err.kbli_missing": (
        "Pilih kegiatan usaha (KBLI) dari daftar pencarian.",
        "Choose the business activity (KBLI) from the search list.",
    ),
    "err.coords_number": (
        "Koordinat harus berupa angka desimal, mis. -10.1600 dan 123.5900.",
        "Coordinates must be decimal numbers, e.g. -10.1600 and 123.5900.",
    ),
    "err.coords_range": (
        "Lintang harus antara -90 dan 90, bujur antara -180 dan 180.",
        "Latitude must be between -90 and 90, longitude between -180 and 180.",
    ),
    "err.figure": ("Isi dengan angka 0 atau lebih.", "Enter a number of 0 or more."),
    "err.floors_integer": ("Jumlah lantai harus bilangan bulat.", "Floors must be a whole number."),
    "err.invalid_value": ("Nilai tidak sah:", "Invalid value:"),
    "err.network": (
        "Tidak dapat menghubungi server; coba lagi.",
        "The server cannot be reached; try again.",
    ),
    "err.rate_limited": (
        "Terlalu banyak pemeriksaan dalam waktu singkat; tunggu sebentar lalu coba lagi.",
        "Too many checks in a short time; wait a moment and try again.",
    ),
    "err.permalink": (
        "Tautan ini rusak; isi formulir lagi.",
        "This link is damaged; fill in the form again.",
    ),
    "err.unknown": ("Terjadi kesalahan.", "Something went wrong."),
    # ---- result
    "res.heading": ("Hasil pemeriksaan", "Result"),
    "res.map": ("Tapak Anda di atas zona rencana", "Your site over the plan's zones"),
    "res.facts": (
        "KBLI {kbli} {judul} · tapak {area} m² ·",
        "KBLI {kbli} {judul} · site {area} m² ·",
    ),
    "res.facts_point": (
        "KBLI {kbli} {judul} · titik {lat}, {lon} ·",
        "KBLI {kbli} {judul} · point {lat}, {lon} ·",
    ),
    "res.permalink": ("Tautan untuk membuka hasil ini lagi", "Link that reopens this result"),
    "res.copy": ("Salin tautan", "Copy link"),
    "res.copied": ("Tersalin ✓", "Copied ✓"),
    "res.print_mark": (
        "PRA-PERIKSA — BUKAN IZIN. Ringkasan ini bukan dokumen KKPR; keputusan resmi "
        "diterbitkan melalui OSS.",
        "PRE-CHECK — NOT A PERMIT. This summary is not a KKPR document; the official "
        "decision is issued through OSS.",
    ),
    "res.print": ("Simpan ringkasan (PDF) / cetak", "Save a summary (PDF) / print"),
    "res.print_link": (
        "Buka lagi hasil ini: {url} ({date})",
        "Open this result again: {url} ({date})",
    ),
    "res.disclaimer": (
        "Pra-periksa ini hanya informasi. Keputusan resmi KKPR diterbitkan melalui sistem OSS.",
        "This pre-check is information only. The official KKPR decision is issued through OSS.",
    ),
    "res.parts": ("Bagian tapak per sub-zona", "Site parts by sub-zone"),
    "res.conditions": ("Ketentuan yang berlaku", "Conditions that apply"),
    "res.intensity": (
        "Intensitas: batas rencana dan usulan Anda",
        "Intensity: the plan's limits against your proposal",
    ),
    "res.overlays": ("Ketentuan khusus", "Special provisions"),
    "res.rasters": ("Bahaya dan kemiringan", "Hazards and slope"),
    "res.rtrw": ("RTRW (indikasi, tidak mengikat)", "RTRW (indication, not binding)"),
    "res.reasons": ("Alasan lengkap", "All reasons"),
    "res.yes": ("ya", "yes"),
    "res.sliver": ("tidak (di bawah toleransi)", "no (under the tolerance)"),
    "res.ok": ("memenuhi", "within"),
    "res.exceeded": ("melebihi", "exceeds"),
    "res.unknown": ("belum dapat diperiksa", "not checked yet"),
    "res.proposed": ("usulan", "proposed"),
    "res.raster_exceeded": ("melampaui ambang", "over the threshold"),
    "res.raster_ok": ("di bawah ambang", "under the threshold"),
    "out.sesuai": ("Sesuai — boleh", "Conforms — allowed"),
    "out.sesuai_bersyarat": ("Sesuai dengan syarat", "Allowed with conditions"),
    "out.tidak_sesuai": ("Tidak sesuai — tidak boleh", "Does not conform — not allowed"),
    "out.perlu_kajian": ("Perlu kajian petugas", "Needs staff review"),
    "form.KKKPR": (
        "(Konfirmasi KKPR: diputuskan otomatis)",
        "(KKPR Confirmation: decided automatically)",
    ),
    "form.PKKPR": (
        "(Persetujuan KKPR: dinilai petugas terhadap RTRW)",
        "(KKPR Approval: assessed by staff against the RTRW)",
    ),
    "form.RKKPR": ("(Rekomendasi KKPR)", "(KKPR Recommendation)"),
    # the regulation's words, from the one table the rules write sentences with
    **{f"itbx.{cls}": words for cls, words in ITBX_WORDS.items() if cls is not None},
    "itbx.none": ("tidak diatur", "not ruled"),
    "efek.X": ("melarang bangunan", "forbids building"),
    "efek.B": ("menambah syarat", "adds a condition"),
    "efek.info": ("informasi", "information"),
    "rule.KDB": ("koefisien dasar bangunan", "building coverage"),
    "rule.KLB": ("koefisien lantai bangunan", "floor area ratio"),
    "rule.KDH": ("koefisien dasar hijau (minimum)", "green coverage (minimum)"),
    "rule.JLB": ("jumlah lantai", "number of floors"),
    "rule.TB": ("tinggi bangunan", "building height"),
    "unit.floors": ("lantai", "floors"),
    "chk.floor_area": ("Luas lantai (m²)", "Floor area (m²)"),
    "chk.site_area": ("Luas tapak (m²)", "Site area (m²)"),
    "chk.floors": ("Jumlah lantai", "Floors"),
    "col.subzone": ("Sub-zona", "Sub-zone"),
    "col.zone": ("Zona", "Zone"),
    "col.block": ("Blok / sub-blok", "Block / sub-block"),
    "col.place": ("Kelurahan, kecamatan", "Village, district"),
    "col.area": ("Luas (m²)", "Area (m²)"),
    "col.share": ("Bagian", "Share"),
    "col.itbx": ("ITBX", "ITBX"),
    "col.deciding": ("Menentukan", "Decides"),
    "col.code": ("Kode", "Code"),
    "col.kind": ("Jenis", "Kind"),
    "col.text": ("Keterangan", "Text"),
    "col.checks": ("Pemeriksaan angka", "Figures checked"),
    "col.rule": ("Aturan", "Rule"),
    "col.limit": ("Batas", "Limit"),
    "col.proposed": ("Usulan", "Proposed"),
    "col.status": ("Status", "Status"),
    "col.source": ("Sumber", "Source"),
    "col.overlay": ("Ketentuan khusus", "Provision"),
    "col.effect": ("Akibat", "Effect"),
    "col.height_cap": ("Batas tinggi", "Height cap"),
    "col.raster": ("Lapisan", "Layer"),
    "col.max": ("Maks.", "Max."),
    "col.mean": ("Rata-rata", "Mean"),
    "col.share_above": ("Bagian di atas ambang", "Share above threshold"),
    "col.rtrw": ("Pola ruang RTRW", "RTRW land use"),
    # ---- what to do next
    # ---- what the verdict means for this plot (numbers of this site)
    "mean.heading": ("Artinya untuk tanah Anda", "What it means for your plot"),
    "mean.land_site": (
        "Tanah Anda: {land} m² (luas batas tapak yang Anda tentukan).",
        "Your plot: {land} m² (the area of the boundary you gave).",
    ),
    "mean.land_given": (
        "Tanah Anda: {land} m² (luas tanah yang Anda isi).",
        "Your plot: {land} m² (the land area you entered).",
    ),
    "mean.land_missing": (
        "Anda menandai satu titik: isi luas tanah di langkah 3 untuk melihat angka ini dalam m².",
        "You marked a point: enter the land area in step 3 to see these figures in m².",
    ),
    "mean.KDB": (
        "Bangunan boleh menutup paling banyak {max} m² dari {land} m² tanah (KDB {limit}%).",
        "The building may cover at most {max} m² of the {land} m² plot (KDB {limit}%).",
    ),
    "mean.KDB_pct": (
        "Bangunan boleh menutup paling banyak {limit}% dari luas tanah (KDB {limit}%).",
        "The building may cover at most {limit}% of the plot (KDB {limit}%).",
    ),
    "mean.KLB": (
        "Luas semua lantai bersama-sama paling banyak {max} m² (KLB {limit}).",
        "All floors together may have at most {max} m² (KLB {limit}).",
    ),
    "mean.KLB_pct": (
        "Luas semua lantai bersama-sama paling banyak {limit} kali luas tanah (KLB {limit}).",
        "All floors together may have at most {limit} times the plot area (KLB {limit}).",
    ),
    "mean.KDH": (
        "Paling sedikit {min} m² tanah tetap hijau: taman, rumput atau pohon (KDH {limit}%).",
        "At least {min} m² of the plot stays green: garden, grass or trees (KDH {limit}%).",
    ),
    "mean.KDH_pct": (
        "Paling sedikit {limit}% tanah tetap hijau: taman, rumput atau pohon (KDH {limit}%).",
        "At least {limit}% of the plot stays green: garden, grass or trees (KDH {limit}%).",
    ),
    "mean.JLB": ("Paling banyak {limit} lantai (JLB).", "At most {limit} floors (JLB)."),
    "mean.TB": (
        "Tinggi bangunan paling tinggi {limit} m (TB).",
        "The building may be at most {limit} m high (TB).",
    ),
    "mean.GSB": (
        "Dinding depan mundur paling sedikit {limit} m dari batas jalan (GSB).",
        "The front wall stands back at least {limit} m from the road edge (GSB).",
    ),
    "mean.KTB": (
        "Ruang bawah tanah (basement) paling luas {max} m² (KTB {limit}%).",
        "A basement may cover at most {max} m² (KTB {limit}%).",
    ),
    "mean.KTB_none": (
        "Tidak boleh ada ruang bawah tanah (basement) (KTB 0%).",
        "No basement is allowed (KTB 0%).",
    ),
    "mean.yours": ("Rencana Anda: {value}.", "Your plan: {value}."),
    "mean.terms": ("Arti istilah", "The terms"),
    "term.KDB": (
        "Koefisien Dasar Bangunan: bagian tanah yang boleh tertutup bangunan, dilihat dari atas.",
        "Building coverage ratio: the share of the plot a building may cover, seen from above.",
    ),
    "term.KLB": (
        "Koefisien Lantai Bangunan: luas semua lantai dijumlahkan, dibagi luas tanah.",
        "Floor area ratio: the area of all floors added up, divided by the plot area.",
    ),
    "term.KDH": (
        "Koefisien Dasar Hijau: bagian tanah yang harus tetap terbuka dan ditanami, "
        "agar air hujan meresap.",
        "Green coverage ratio: the share of the plot that stays open and planted, so "
        "rain soaks in.",
    ),
    "term.JLB": (
        "Jumlah Lantai Bangunan, lantai dasar ikut dihitung.",
        "Number of floors, the ground floor included.",
    ),
    "term.TB": (
        "Tinggi Bangunan: dari permukaan tanah sampai puncak atap.",
        "Building height: from the ground to the top of the roof.",
    ),
    "term.GSB": (
        "Garis Sempadan Bangunan: jarak bebas bangunan dari batas jalan, untuk keselamatan "
        "dan pelebaran jalan.",
        "Building line: the free distance between the building and the road, for safety and "
        "road widening.",
    ),
    "term.KTB": (
        "Koefisien Tapak Basement: bagian tanah yang boleh dipakai ruang bawah tanah.",
        "Basement coverage ratio: the share of the plot a basement may take.",
    ),
    "term.ITBX": (
        "Matriks ITBX: tabel rencana yang menyatakan kegiatan mana yang diizinkan (I), "
        "terbatas (T), bersyarat (B) atau tidak diizinkan (X) di tiap sub-zona.",
        "ITBX matrix: the plan's table saying which activities are permitted (I), limited (T), "
        "conditional (B) or not permitted (X) in each sub-zone.",
    ),
    "term.NIB": (
        "Nomor Induk Berusaha: nomor pengenal usaha dari OSS, langkah pertama setiap izin.",
        "Business identity number: the business's number from OSS, the first step of every permit.",
    ),
    "term.KKKPR": (
        "Konfirmasi KKPR: pernyataan dari OSS bahwa kegiatan sesuai RDTR; terbit otomatis.",
        "KKPR Confirmation: OSS's statement that the activity fits the RDTR; issued automatically.",
    ),
    "term.PKKPR": (
        "Persetujuan KKPR: keputusan petugas tata ruang setelah menilai lokasi, untuk tempat "
        "yang tidak dapat dikonfirmasi otomatis.",
        "KKPR Approval: the planning staff's decision after assessing the site, where "
        "automatic confirmation is not possible.",
    ),
    "term.PNBP": (
        "Penerimaan Negara Bukan Pajak: biaya resmi layanan yang dibayar ke kas negara.",
        "Non-tax state revenue: the official fee for the service, paid to the state.",
    ),
    "next.nib": (
        "Jika belum punya, daftarkan usaha Anda di OSS (oss.go.id) untuk mendapat NIB; "
        "semua langkah berikut dilakukan di OSS dengan NIB itu.",
        "If you have none yet, register the business in OSS (oss.go.id) to get its NIB; "
        "every following step is done in OSS with that NIB.",
    ),
    "next.kkkpr_auto": (
        "Di OSS, ajukan Konfirmasi KKPR (KKKPR) dengan lokasi, KBLI dan data bangunan yang "
        "sama. RDTR ini sudah terhubung dengan OSS, jadi konfirmasi terbit otomatis.",
        "In OSS, apply for the KKPR Confirmation (KKKPR) with the same site, KBLI and "
        "building figures. This RDTR is connected to OSS, so it is issued automatically.",
    ),
    "next.kkkpr_auto_conditions": (
        "Di OSS, ajukan KKKPR dengan lokasi dan KBLI yang sama; konfirmasi terbit otomatis "
        "dengan syarat berikut, yang wajib Anda penuhi:",
        "In OSS, apply for the KKKPR with the same site and KBLI; it is issued automatically "
        "with these conditions, which you must meet:",
    ),
    "next.pkkpr_path": (
        "Di OSS, ajukan Persetujuan KKPR (PKKPR). Petugas menilai lokasi Anda dan "
        "memutuskan dalam {days} hari kerja setelah berkas lengkap.",
        "In OSS, apply for the KKPR Approval (PKKPR). Staff assess your site and decide "
        "within {days} working days of a complete application.",
    ),
    "next.pkkpr_docs": (
        "Siapkan: KTP (atau akta badan usaha), NIB, peta atau koordinat batas tanah, bukti "
        "penguasaan tanah (sertifikat, akta jual beli atau surat sewa), rencana bangunan "
        "(luas, jumlah lantai), dan penjelasan singkat kegiatan usaha.",
        "Prepare: identity card (or the company deed), NIB, a map or the coordinates of the "
        "plot boundary, proof of rights to the land (certificate, deed of sale or lease), "
        "the building plan (area, floors), and a short description of the business.",
    ),
    "next.pnbp": (
        "Perkiraan PNBP untuk {land} m² tanah: Rp {amount} (dibayar setelah tagihan terbit "
        "di OSS; jumlah pastinya dihitung kantor).",
        "Estimated PNBP for {land} m² of land: Rp {amount} (paid once OSS issues the bill; "
        "the office computes the exact amount).",
    ),
    "next.pnbp_ask": (
        "PNBP (biaya resmi) dihitung dari luas tanah; tagihannya terbit di OSS.",
        "The PNBP (official fee) is computed from the land area; OSS issues the bill.",
    ),
    "next.review_path": (
        "Di OSS, ajukan KKPR; petugas mengkaji kasus ini dalam {days} hari kerja.",
        "In OSS, apply for the KKPR; staff review the case within {days} working days.",
    ),
    "next.office": ("Pertanyaan? Datangi {office}.", "Questions? Visit {office}."),
    "next.office_hours": ("Jam layanan: {hours}.", "Opening hours: {hours}."),
    "map.vertex": (
        "Titik sudut tapak {n} (seret untuk mengubah batas)",
        "Site corner {n} (drag to change the boundary)",
    ),
    "pc.map.skip": ("Lewati peta", "Skip the map"),
    "map.base_street": ("Peta jalan", "Street map"),
    "map.base_aerial": ("Citra udara", "Aerial imagery"),
    "map.zone_opacity": (
        "Kepekatan warna zona (geser ke kiri untuk melihat peta di bawahnya)",
        "Zone colour strength (slide left to see the map underneath)",
    ),
    "else.heading": ("Di mana lagi kegiatan ini boleh?", "Where else is this activity allowed?"),
    "else.help": (
        "Zona di sekitar lokasi diwarnai menurut izin kegiatan ini, dengan zona terdekat yang "
        "mengizinkannya.",
        "The zones around the site coloured by what they allow for this activity, with the "
        "nearest zones that allow it.",
    ),
    "else.show": ("Tampilkan di peta", "Show on the map"),
    "else.hide": ("Sembunyikan", "Hide"),
    "else.item": (
        "{kodszn} {namszn} ({itbx}), {place}: {distance} m dari lokasi Anda",
        "{kodszn} {namszn} ({itbx}), {place}: {distance} m from your site",
    ),
    "else.none": (
        "Tidak ada zona yang mengizinkan kegiatan ini dalam ±1,5 km dari lokasi Anda.",
        "No zone within about 1.5 km of your site allows this activity.",
    ),
    "next.heading": ("Langkah berikutnya", "What to do next"),
    "next.apply_kkkpr": (
        "Ajukan Konfirmasi KKPR (KKKPR) melalui OSS (oss.go.id) dengan lokasi, KBLI dan data "
        "bangunan yang sama; KKKPR terbit otomatis.",
        "Apply for a KKPR Confirmation (KKKPR) through OSS (oss.go.id) with the same site, "
        "KBLI and building figures; it is issued automatically.",
    ),
    "next.keep_limits": (
        "Rancang bangunan dalam batas intensitas di tabel di bawah.",
        "Design the building within the intensity limits in the table below.",
    ),
    "next.apply_kkkpr_conditions": (
        "Ajukan KKKPR melalui OSS (oss.go.id); KKPR terbit dengan syarat berikut:",
        "Apply for the KKKPR through OSS (oss.go.id); it is issued with these conditions:",
    ),
    "next.condition_b": (
        "Syarat {kode} — siapkan dokumen/kajian: {teks}",
        "Condition {kode} — prepare the document or study: {teks}",
    ),
    "next.condition_t": ("Batas {kode} — patuhi: {teks}", "Limit {kode} — keep to: {teks}"),
    "next.overlay_b": (
        "Tapak berada di {jenis}: siapkan rekomendasi/kajian dari instansi terkait.",
        "The site lies in {jenis}: obtain the recommendation or study of the agency concerned.",
    ),
    "next.raster_b": (
        "{label}: siapkan kajian teknis untuk bagian tapak yang terdampak.",
        "{label}: prepare a technical study for the affected part of the site.",
    ),
    "next.other_site": (
        "Pilih lokasi lain di sub-zona yang mengizinkan kegiatan ini, atau kegiatan lain yang "
        "diizinkan di lokasi ini.",
        "Choose another site in a sub-zone that allows this activity, or another activity "
        "allowed here.",
    ),
    "next.reduce": (
        "Jika hanya batas ukuran yang terlampaui, perkecil bangunan lalu periksa lagi.",
        "If only a size limit is exceeded, make the building smaller and check again.",
    ),
    "next.pkkpr": (
        "Ajukan Persetujuan KKPR (PKKPR) melalui OSS; petugas dan Forum Penataan Ruang "
        "menilainya terhadap RTRW dalam {days} hari kerja.",
        "Apply for a KKPR Approval (PKKPR) through OSS; staff and the Spatial Planning Forum "
        "assess it against the RTRW within {days} working days.",
    ),
    "next.review": (
        "Ajukan melalui OSS; petugas DPMPTSP / Dinas PUPR mengkaji kasus ini dalam {days} "
        "hari kerja.",
        "Apply through OSS; DPMPTSP / public-works staff review the case within {days} "
        "working days.",
    ),
    "next.fill_figures": (
        "Isi data bangunan yang masih kosong agar semua batas dapat diperiksa.",
        "Fill in the missing building figures so every limit can be checked.",
    ),
    # ---- staff workspace
    "staff.title": ("Ruang kerja petugas: peta rencana", "Staff workspace: the plan map"),
    "staff.login.title": ("Masuk petugas", "Staff sign-in"),
    "staff.login.lead": (
        "Ruang kerja ini untuk petugas Dinas PUPR dan DPMPTSP.",
        "This workspace is for public-works and licensing office staff.",
    ),
    "staff.login.key": ("Kunci API petugas", "Staff API key"),
    "staff.login.help": (
        "Kunci berperan «staff» dari pengelola layanan (kkpr keys create).",
        "A key with the «staff» role from the service operator (kkpr keys create).",
    ),
    "staff.login.submit": ("Masuk", "Sign in"),
    "staff.who": ("Masuk sebagai {name}", "Signed in as {name}"),
    "staff.logout": ("Keluar", "Sign out"),
    "staff.map": ("Peta zona rencana aktif", "Map of the active plan's zones"),
    "staff.layers": ("Lapisan peta", "Map layers"),
    "staff.layer.zones": ("Zona", "Zones"),
    "staff.layer.overlays": ("Ketentuan khusus", "Special provisions"),
    "staff.layer.rtrw": ("RTRW", "RTRW"),
    "staff.layer.reviews": ("Antrean kajian", "Review queue"),
    "staff.layer.problems": ("Masalah validasi", "Validation problems"),
    "staff.layer.decided": ("Keputusan", "Decisions"),
    "staff.panels": ("Panel", "Panels"),
    "staff.tab.feature": ("Objek", "Feature"),
    "staff.tab.reviews": ("Kajian", "Reviews"),
    "staff.tab.validation": ("Validasi", "Validation"),
    "staff.feature.heading": ("Objek terpilih", "Selected feature"),
    "staff.feature.none": (
        "Klik poligon di peta untuk melihat atributnya dan kolom ITBX-nya.",
        "Click a polygon on the map to see its attributes and its ITBX column.",
    ),
    "staff.feature.overlay": ("Ketentuan khusus", "Special provision"),
    "staff.feature.rtrw": ("Pola ruang RTRW", "RTRW land use"),
    "staff.feature.all_attrs": ("Atribut lain ({n})", "Other attributes ({n})"),
    "staff.feature.overlays_here": ("Ketentuan khusus di titik ini:", "Special provisions here:"),
    "staff.loading": ("Memuat…", "Loading…"),
    "staff.zones_loaded": ("{n} poligon zona dimuat.", "{n} zone polygons loaded."),
    "staff.legend.review": ("Kasus dalam antrean kajian", "Case in the review queue"),
    "staff.legend.problem": ("Masalah validasi rencana", "Plan validation problem"),
    "staff.legend.approve": ("Kasus disetujui", "Case approved"),
    "staff.legend.approve_with_conditions": (
        "Kasus disetujui dengan syarat",
        "Case approved with conditions",
    ),
    "staff.legend.reject": ("Kasus ditolak", "Case rejected"),
    "staff.itbx.heading": ("Kolom ITBX {code}", "ITBX column {code}"),
    "staff.itbx.error": ("Kolom ITBX tidak dapat dimuat.", "The ITBX column could not be loaded."),
    "staff.itbx.no_column": (
        "Sub-zona {code} tidak memiliki kolom di matriks ITBX.",
        "Sub-zone {code} has no column in the ITBX matrix.",
    ),
    "staff.itbx.activity": ("Kegiatan", "Activity"),
    "staff.reviews.heading": ("Antrean kajian", "Review queue"),
    "staff.reviews.absent": (
        "Antrean kajian belum tersedia pada layanan ini.",
        "The review queue is not available on this service yet.",
    ),
    "staff.reviews.empty": ("Tidak ada kasus yang menunggu kajian.", "No case awaits review."),
    "staff.reviews.overdue": ("lewat tenggat", "overdue"),
    "staff.reviews.due_soon": ("segera jatuh tempo", "due soon"),
    "staff.reviews.line": (
        "KBLI {kbli} · {form} · {outcome} · tenggat {deadline} ({left} hari kerja lagi)",
        "KBLI {kbli} · {form} · {outcome} · due {deadline} ({left} working days left)",
    ),
    "staff.show_on_map": ("Tampilkan di peta", "Show on the map"),
    "staff.decided.heading": ("Keputusan terakhir", "Recent decisions"),
    "staff.decided.empty": ("Belum ada kasus yang diputuskan.", "No case has been decided yet."),
    "staff.decided.count": (
        "{n} kasus diputuskan; {shown} terbaru tercantum, semuanya di peta.",
        "{n} cases decided; the newest {shown} listed, all of them on the map.",
    ),
    "staff.decided.line": (
        "KBLI {kbli} · {form} · diputuskan {date} oleh {reviewer}",
        "KBLI {kbli} · {form} · decided {date} by {reviewer}",
    ),
    "staff.decided.late": ("lewat tenggat", "late"),
    "staff.decide.open": ("Putuskan kasus ini", "Decide this case"),
    "staff.decide.decision": ("Keputusan", "Decision"),
    "staff.decide.approve": ("Setujui", "Approve"),
    "staff.decide.approve_with_conditions": ("Setujui dengan syarat", "Approve with conditions"),
    "staff.decide.reject": ("Tolak", "Reject"),
    "staff.decide.reasons": ("Alasan (wajib)", "Reasons (required)"),
    "staff.decide.conditions": ("Syarat", "Conditions"),
    "staff.decide.one_per_line": ("Satu per baris.", "One per line."),
    "staff.decide.choose": ("Pilih salah satu keputusan.", "Choose a decision."),
    "staff.decide.reasons_required": (
        "Keputusan harus memuat alasan.",
        "A decision must give its reasons.",
    ),
    "staff.decide.submit": ("Simpan keputusan", "Record the decision"),
    "staff.decide.done": (
        "{name}: {decision} — keputusan tersimpan.",
        "{name}: {decision} — decision recorded.",
    ),
    "staff.decide.document": ("Dokumen KKPR {number}", "KKPR document {number}"),
    "staff.validation.heading": ("Laporan validasi rencana", "Plan validation report"),
    "staff.validation.summary": (
        "{plan} versi {version}: {errors} galat, {warnings} peringatan.",
        "{plan} version {version}: {errors} errors, {warnings} warnings.",
    ),
    "staff.validation.clean": ("Rencana lolos validasi.", "The plan passes validation."),
    "staff.validation.row": ("baris {row}", "row {row}"),
    "staff.severity.error": ("Galat", "Error"),
    "staff.severity.warning": ("Peringatan", "Warning"),
}


def _merge_catalogues() -> None:
    """Add each ``api/catalogues/<area>.py``'s ``MESSAGES`` (one file per area of the
    pages, so areas grow without touching this file); a key defined twice is an error."""
    from api import catalogues

    for found in sorted(pkgutil.iter_modules(catalogues.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{catalogues.__name__}.{found.name}")
        extra: dict[str, tuple[str, str]] = module.MESSAGES
        twice = MESSAGES.keys() & extra.keys()
        if twice:
            raise RuntimeError(f"api/catalogues/{found.name}.py redefines {sorted(twice)}")
        MESSAGES.update(extra)


_merge_catalogues()

_ACCEPT = re.compile(r"([a-zA-Z]{1,8})(?:-[a-zA-Z0-9]{1,8})?\s*(?:;\s*q\s*=\s*([0-9.]+))?")


def from_accept_language(header: str | None) -> str | None:
    """Indonesian if the browser accepts it at all, else English if it accepts that.

    Indonesian comes first for this public service: a phone set to English that also
    lists Indonesian gets Indonesian; the switch on every page changes it.
    """
    accepted = set()
    for match in _ACCEPT.finditer(header or ""):
        code = match.group(1).lower()
        try:
            q = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            q = 0.0
        if q > 0:
            accepted.add("id" if code in ("id", "in") else code)
    return next((lang for lang in LANGUAGES if lang in accepted), None)


def language(request: Request) -> str:
    """The page language: ``?lang=``, the cookie, Accept-Language, else Indonesian."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    saved = request.cookies.get(COOKIE, "").lower()
    if saved in LANGUAGES:
        return saved
    return from_accept_language(request.headers.get("accept-language")) or DEFAULT


def translate(key: str, lang: str, **values: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def catalogue(lang: str) -> dict[str, str]:
    """Every message in one language, for the browser."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in MESSAGES.items()}
