"""Qualitative evaluation evidence (evidence.md): informants, sources, codebook, codings, memos.

The Django layer around ``kinerja.evidence.analysis``: every record belongs to one evaluation, whose
readers ``access`` decides; models store the workspace (texts and memos
encrypted at rest), services write it under role checks, selectors read it as a domain Project."""
