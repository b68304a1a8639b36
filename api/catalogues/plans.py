"""Words of the plan management page (``/staf/rencana``, admin)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "plans.title": (
        "Kelola rencana: unggah, periksa, aktifkan",
        "Manage the plan: upload, review, activate",
    ),
    "plans.need_admin": (
        "Halaman ini hanya untuk admin rencana; masuk dengan kunci berperan admin",
        "This page is for plan admins only; sign in with a key of the admin role",
    ),
    "plans.nav.staff": ("Ruang kerja petugas", "Staff workspace"),
    "plans.nav.manage": ("Kelola rencana", "Manage the plan"),
    "plans.map": ("Peta versi yang diunggah", "Map of the uploaded version"),
    "plans.layers": ("Lapisan peta", "Map layers"),
    "plans.layer.active": ("Zona versi aktif", "Zones of the active version"),
    "plans.layer.problems": ("Masalah validasi", "Validation problems"),
    "plans.layer.diff": ("Perubahan zona", "Zone changes"),
    "plans.layer.impact": ("Tapak yang hasilnya berubah", "Sites whose outcome changes"),
    "plans.current": (
        "{name}: versi aktif {version}",
        "{name}: active version {version}",
    ),
    "plans.upload.heading": ("1. Unggah paket rencana", "1. Upload a plan package"),
    "plans.upload.label": ("Paket rencana (zip)", "Plan package (zip)"),
    "plans.upload.help": (
        "Zip folder paket (plan.toml, pola_ruang, itbx.csv, kbli.csv, ...). Versi baru dimuat "
        "tanpa diaktifkan; layanan tetap memakai versi aktif sampai Anda mengaktifkannya.",
        "Zip the package folder (plan.toml, pola_ruang, itbx.csv, kbli.csv, ...). The new "
        "version is loaded without being activated; the service keeps the active version "
        "until you activate it.",
    ),
    "plans.upload.submit": ("Unggah dan validasi", "Upload and validate"),
    "plans.upload.busy": ("Mengunggah dan memvalidasi…", "Uploading and validating…"),
    "plans.upload.none": ("Pilih berkas zip dulu", "Choose a zip file first"),
    "plans.upload.done": (
        "Versi {version} dimuat (belum aktif): {errors} galat, {warnings} peringatan",
        "Version {version} loaded (not active): {errors} errors, {warnings} warnings",
    ),
    "plans.upload.refused": (
        "Paket ditolak, tidak ada yang berubah: {errors} galat. Perbaiki lalu unggah lagi.",
        "Package refused, nothing changed: {errors} errors. Fix them and upload again.",
    ),
    "plans.pick.heading": ("Versi yang diperiksa", "Version under review"),
    "plans.pick.label": ("Versi", "Version"),
    "plans.pick.none": (
        "Belum ada versi lain selain versi aktif",
        "No version other than the active one yet",
    ),
    "plans.version.option": (
        "{version} · dimuat {at} oleh {by}{active}",
        "{version} · loaded {at} by {by}{active}",
    ),
    "plans.version.active": (" (aktif)", " (active)"),
    "plans.report.heading": ("2. Laporan validasi", "2. Validation report"),
    "plans.report.summary": (
        "{errors} galat, {warnings} peringatan",
        "{errors} errors, {warnings} warnings",
    ),
    "plans.report.clean": ("Tidak ada masalah", "No problems"),
    "plans.report.placed": ("{n} masalah ditandai di peta", "{n} problems marked on the map"),
    "plans.diff.heading": (
        "3. Perbedaan dengan versi aktif",
        "3. Differences from the active version",
    ),
    "plans.diff.run": ("Hitung perbedaan", "Compute the differences"),
    "plans.diff.busy": ("Menghitung perbedaan…", "Computing the differences…"),
    "plans.diff.none": (
        "Tidak ada perubahan terhadap versi aktif {against}",
        "No changes from the active version {against}",
    ),
    "plans.diff.lead": (
        "{version} dibandingkan dengan versi aktif {against}",
        "{version} compared with the active version {against}",
    ),
    "plans.diff.zones": ("Zona berubah (luas)", "Zones changed (area)"),
    "plans.diff.itbx": ("Sel ITBX berubah", "ITBX cells changed"),
    "plans.diff.intensity": ("Intensitas berubah", "Intensity changed"),
    "plans.diff.kbli": ("Pemetaan KBLI berubah", "KBLI mapping changed"),
    "plans.diff.conditions": ("Ketentuan T/B berubah", "T/B conditions changed"),
    "plans.diff.overlays": (
        "Ketentuan khusus: {added} ditambah, {removed} dihapus, {changed} diubah",
        "Special provisions: {added} added, {removed} removed, {changed} changed",
    ),
    "plans.diff.meta": ("Metadata berubah", "Metadata changed"),
    "plans.diff.kind": ("Jenis", "Kind"),
    "plans.diff.old": ("Lama", "Old"),
    "plans.diff.new": ("Baru", "New"),
    "plans.diff.area": ("Luas (m²)", "Area (m²)"),
    "plans.diff.pieces": ("Potongan", "Pieces"),
    "plans.diff.activity": ("Kegiatan", "Activity"),
    "plans.diff.subzone": ("Sub-zona", "Sub-zone"),
    "plans.diff.field": ("Isian", "Field"),
    "plans.diff.more": ("… dan {n} lagi", "… and {n} more"),
    "plans.impact.heading": ("4. Dampak pada pemeriksaan tercatat", "4. Impact on recorded checks"),
    "plans.impact.run": ("Periksa ulang pemeriksaan tercatat", "Re-check the recorded checks"),
    "plans.impact.progress": (
        "Memeriksa ulang: {done} dari {total}",
        "Re-checking: {done} of {total}",
    ),
    "plans.impact.summary": (
        "Dari {total} pemeriksaan dan permohonan tercatat, {changed} akan berubah hasil; {unchanged} tetap.",
        "Of {total} recorded checks and applications, {changed} would change outcome; {unchanged} stay the same.",
    ),
    "plans.impact.sources": (
        "Pemeriksaan: {checks_changed} dari {checks} berubah; permohonan: {apps_changed} dari {apps} berubah.",
        "Checks: {checks_changed} of {checks} change; applications: {apps_changed} of {apps} change.",
    ),
    "plans.impact.application": (
        "Permohonan {id} (KBLI {kbli}, {kind}): {from} → {to}",
        "Application {id} (KBLI {kbli}, {kind}): {from} → {to}",
    ),
    "plans.impact.limit": (
        "(paling baru {limit} pemeriksaan dan {limit} permohonan)",
        "(the newest {limit} checks and {limit} applications)",
    ),
    "plans.impact.transition": ("{from} → {to}: {count}", "{from} → {to}: {count}"),
    "plans.impact.failed": ("Pemeriksaan ulang gagal: {message}", "The re-check failed: {message}"),
    "plans.impact.site": (
        "Pemeriksaan {id} (KBLI {kbli}): {from} → {to}",
        "Check {id} (KBLI {kbli}): {from} → {to}",
    ),
    "plans.act.heading": ("5. Aktifkan atau kembalikan", "5. Activate or roll back"),
    "plans.act.activate": ("Aktifkan versi {version}", "Activate version {version}"),
    "plans.act.rollback": (
        "Kembalikan ke versi sebelum {version}",
        "Roll back from version {version}",
    ),
    "plans.act.confirm_activate": (
        "Aktifkan {version}? Semua pemeriksaan baru akan memakai versi ini.",
        "Activate {version}? Every new check will use this version.",
    ),
    "plans.act.confirm_rollback": (
        "Kembalikan dari {version} ke versi aktif sebelumnya?",
        "Roll back from {version} to the previously active version?",
    ),
    "plans.act.yes": ("Ya, lanjutkan", "Yes, go ahead"),
    "plans.act.no": ("Batal", "Cancel"),
    "plans.act.activated": (
        "Versi {version} kini aktif (sebelumnya {previous})",
        "Version {version} is now active (before: {previous})",
    ),
    "plans.act.rolled_back": (
        "Dikembalikan: versi aktif kini {version} (sebelumnya {previous})",
        "Rolled back: the active version is now {version} (before: {previous})",
    ),
    "plans.act.is_active": ("Versi ini sedang aktif", "This version is active"),
    "plans.events.heading": ("Riwayat langkah", "Record of steps"),
    "plans.events.empty": ("Belum ada langkah tercatat", "No steps recorded yet"),
    "plans.events.when": ("Waktu", "When"),
    "plans.events.who": ("Oleh", "Who"),
    "plans.events.what": ("Langkah", "Step"),
    "plans.events.version": ("Versi", "Version"),
    "plans.events.detail": ("Keterangan", "Detail"),
    "plans.event.upload": ("Unggah (tidak aktif)", "Upload (inactive)"),
    "plans.event.upload_refused": ("Unggahan ditolak", "Upload refused"),
    "plans.event.validate": ("Validasi", "Validation"),
    "plans.event.diff": ("Perbedaan dihitung", "Diff computed"),
    "plans.event.impact": ("Dampak dihitung", "Impact computed"),
    "plans.event.activate": ("Diaktifkan", "Activated"),
    "plans.event.rollback": ("Dikembalikan", "Rolled back"),
}
