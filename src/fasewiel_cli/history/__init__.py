"""Each client's visits across time: the SQLite store (``store``) and what is read from it
(``visits``): changes between visits, exports, the client list."""
