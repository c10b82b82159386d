"""Moving content in and out in bulk: export (exporting.py), demo data (demo.py), and
import, which brings in articles with their authors, images, tags, quotes (and their
speakers), citations, corrections and disclosures.

The file format is defined once, in schema.py: typed records (dataclasses) that export
builds from the models and writes, that import parses a file into (records.py), and
that seed_demo makes (demo.py) and hands to the import's writer (writing.py, which
writes in bulk through bulk.py: COPY on PostgreSQL).

Input is the project's JSON Lines format or a WordPress export (WXR, translated to the
same records by wxr.py). An import reads its files as streams (sources.py), so memory
does not grow with the size of a file, in three passes:

1. check every record, alone (types, lengths, choices, dates, files: records.py) and
   against the others and the database (references, duplicate slugs: checking.py),
   collecting every problem;
2. write authors and images (writing.py);
3. write articles, which refer to them (a WordPress export may list an image after the
   post that uses it), in batches (see Writer.articles): each kind of row in bulk, with
   no signals, so the batch's search vectors and disclosures are built here, as saving
   each article would. A batch that fails to write is written again one article at a
   time, to name the one that failed.

Records are matched on a stable key (author slug, image key, article uid; speakers and
organisations, which travel inside articles, by slug), and one that equals what the
database holds is left alone: importing a file twice changes nothing. A published
article written by an import records its disclosures as of its publication, as the
publish move does.
"""
