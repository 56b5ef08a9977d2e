"""Inputs as they come: CRM/ERP exports, spreadsheets and database queries mapped onto the contract.

The params file's ``sources:`` key names, for any input of CONTRACT section 4, a file or a query
that replaces ``DATA_DIR/<stem>.*``, and how its columns map onto the contract's. What the user
declares (:mod:`.spec`) is kept apart from how each kind of source is read (:mod:`.readers`,
:mod:`.database`) and from the mapping itself (:mod:`.mapping`); :mod:`.load` puts them together
with the data folder's checks.
"""
