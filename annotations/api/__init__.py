"""The REST API under /api/: thin views over the services (writes) and selectors (reads).

Each operation validates its input with an input serializer, calls one service
or selector, and answers with an output serializer (claims, which come by the
thousand and with every write, with the dictionaries ``selectors`` builds from the
claim's shape in ``annotations.shapes``). The services check the rules and who
may do what; ``errors.exception_handler`` turns their refusals into JSON answers.

``urls`` routes; ``base`` holds what every resource shares; ``articles``,
``speakers``, ``claims`` and ``evidence`` (sources and verdicts) are the views;
``docs`` the root and Swagger UI.
"""
