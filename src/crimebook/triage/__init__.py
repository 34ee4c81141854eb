"""Triage of sealed intake submissions, in the workspace (holds the private keys).

Reviewers see the queue, open a submission (decrypting it with the intake identity from the
workspace key directory — an audited act), reply to the source (sealed to the source's reply
key), mark spam or duplicates, and turn a submission into register records through
:mod:`crimebook.register.services`, each linked back to the submission.
"""
