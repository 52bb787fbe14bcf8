//! Chains front-end → IR → back-end for one input. Placeholder.
