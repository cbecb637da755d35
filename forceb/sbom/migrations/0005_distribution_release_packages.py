# Written by hand on 2026-11-29: stored distribution packages re-keyed by release and source package.

from django.db import migrations

from forceb.sbom.matching import package_of_purl


def rekey_distribution_packages(apps, schema_editor):
    """deb, apk and rpm components were stored under the bare distribution ("Debian") and their
    binary name; advisories are now matched per release and source package ("Debian:12",
    "openssl"), and a changed advisory finds its components by that key."""
    Component = apps.get_model("sbom", "Component")
    rows = Component.objects.filter(purl_type__in=["deb", "apk", "rpm"]).exclude(purl="").only(
        "pk", "purl", "ecosystem", "package").iterator(chunk_size=2000)
    batch = []
    for c in rows:
        try:
            eco, package = package_of_purl(c.purl)[:2]
        except ValueError:
            continue
        if (eco or c.ecosystem, package) != (c.ecosystem, c.package):
            c.ecosystem, c.package = (eco or c.ecosystem)[:32], package[:300]
            batch.append(c)
        if len(batch) == 2000:
            Component.objects.bulk_update(batch, ["ecosystem", "package"], batch_size=500)
            batch = []
    Component.objects.bulk_update(batch, ["ecosystem", "package"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('sbom', '0004_finding_urgency'),
    ]

    operations = [
        migrations.RunPython(rekey_distribution_packages, migrations.RunPython.noop),
    ]
