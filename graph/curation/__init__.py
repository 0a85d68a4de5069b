"""Curation: proposals from anyone, review by editors, duplicate checks, field edits and the views of
what is missing. The web forms and the review pages in ``service/`` are thin shells over this.

- ``forms``: the fields each kind of resource has in a form, how submitted values are checked
  (lengths, no markup, http(s) links only, no contact details), slugs made from labels, and the
  triples a form states;
- ``proposals``: proposals kept in the non-public ``proposals`` graph until an editor approves
  (one validated write through ``ingest.commit``) or rejects them;
- ``duplicates``: likely duplicates of new names and homepages, from the search index's folding;
- ``edits``: a form's change of an existing resource, field by field;
- ``missing``: the curation views (resources with Warnings, needs without material, knooppunten
  without ambassadors, projects without a lead).
"""
