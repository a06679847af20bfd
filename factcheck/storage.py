"""Static files in production: compressed, with hashed names, module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage, also rewriting ES modules' ``import … from "./x.js"``.

    The article page's script is a tree of modules imported by relative paths; each
    import must name the hashed file, or a browser would keep an old module cached
    beside a new one (and the unhashed name is not served with a long cache life).
    """

    support_js_module_import_aggregation = True
