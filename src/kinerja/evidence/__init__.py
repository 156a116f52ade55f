"""Qualitative evaluation evidence (evidence.md): informants, sources, codebook, codings, memos.

The Django layer around ``kinerja.evidence.analysis``: models store the workspace (texts and memos
encrypted at rest), services write it under role checks, selectors read it as a domain Project."""
