//! The Merkle view of an organisation's audit chain: an RFC 6962 / RFC 9162 tree whose
//! leaf i is the 32 raw bytes of entry i's `entry_sha256`, with tree heads, inclusion and
//! consistency proofs built only from complete aligned subtrees, and their verifiers.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node or a tree head.
pub type Hash = [u8; 32];

/// Why a tree head or proof could not be produced or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The index or sizes asked for do not describe a valid proof.
    #[error("out of range: {0}")]
    OutOfRange(String),
    /// The proof has the wrong number of hashes for the sizes given.
    #[error("the proof has {got} hashes, but {expected} are needed for these tree sizes")]
    WrongLength { expected: usize, got: usize },
    /// The proof does not lead to the tree head given.
    #[error("the proof does not match the tree head")]
    Mismatch,
    /// A complete subtree needed for the computation is not stored.
    #[error("the tree node at level {level}, index {index} is not available")]
    MissingNode { level: u32, index: u64 },
}

/// The RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

/// The RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Where complete, aligned subtree hashes come from: the subtree at `level` (2^level
/// leaves) and `index` covers leaves [index << level, (index + 1) << level); level 0 holds
/// the leaf hashes.
pub trait Nodes {
    /// The hash of the complete subtree at (`level`, `index`), or `MissingNode`.
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError>;
}

impl<T: Nodes + ?Sized> Nodes for &T {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        (**self).node(level, index)
    }
}

/// An in-memory tree holding every complete aligned subtree hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    /// `levels[l][i]` is the complete subtree at level l, index i.
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// A tree over raw leaves (each entry's 32-byte `entry_sha256`), hashed with `leaf_hash`.
    pub fn new(leaves: &[Hash]) -> Self {
        Self::from_leaf_hashes(leaves.iter().map(|l| leaf_hash(l)).collect())
    }

    /// A tree over leaf hashes that are already computed (level 0).
    pub fn from_leaf_hashes(leaf_hashes: Vec<Hash>) -> Self {
        let mut levels = vec![leaf_hashes];
        loop {
            let next: Vec<Hash> = match levels.last() {
                Some(below) if below.len() >= 2 => below
                    .chunks_exact(2)
                    .map(|pair| node_hash(&pair[0], &pair[1]))
                    .collect(),
                _ => break,
            };
            levels.push(next);
        }
        MemoryTree { levels }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends a raw leaf (an entry's 32-byte `entry_sha256`); returns the new nodes.
    pub fn push(&mut self, leaf: &Hash) -> Result<Vec<(u32, u64, Hash)>, ProofError> {
        self.push_leaf_hash(leaf_hash(leaf))
    }

    /// Appends an already-hashed leaf; returns the nodes that became complete, as
    /// `new_nodes_for_leaf` lists them.
    pub fn push_leaf_hash(&mut self, leaf_hash: Hash) -> Result<Vec<(u32, u64, Hash)>, ProofError> {
        let new = new_nodes_for_leaf(self.size(), leaf_hash, &*self)?;
        for &(level, index, hash) in &new {
            self.insert(level, index, hash)?;
        }
        Ok(new)
    }

    /// Stores one node, which must be the next one at its level.
    fn insert(&mut self, level: u32, index: u64, hash: Hash) -> Result<(), ProofError> {
        let l = level as usize;
        while self.levels.len() <= l {
            self.levels.push(Vec::new());
        }
        let row = &mut self.levels[l];
        if row.len() as u64 != index {
            return Err(ProofError::OutOfRange(format!(
                "node at level {level}, index {index} is not the next one (level has {})",
                row.len()
            )));
        }
        row.push(hash);
        Ok(())
    }
}

impl Nodes for MemoryTree {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels.get(level as usize)?.get(i).copied())
            .ok_or(ProofError::MissingNode { level, index })
    }
}

/// The nodes to store when leaf `size_before` is appended: its level-0 node, then each
/// node (level, index, hash) that the append makes complete, lowest level first.
pub fn new_nodes_for_leaf(
    size_before: u64,
    leaf_hash: Hash,
    nodes: &impl Nodes,
) -> Result<Vec<(u32, u64, Hash)>, ProofError> {
    if size_before == u64::MAX {
        return Err(ProofError::OutOfRange(
            "the tree cannot grow beyond 2^64 - 1 leaves".into(),
        ));
    }
    let mut out = vec![(0, size_before, leaf_hash)];
    let (mut level, mut index, mut hash) = (0u32, size_before, leaf_hash);
    // A right child (odd index) completes its parent; continue while that holds.
    while index & 1 == 1 {
        let left = nodes.node(level, index - 1)?;
        hash = node_hash(&left, &hash);
        level += 1;
        index >>= 1;
        out.push((level, index, hash));
    }
    Ok(out)
}

/// The largest power of two strictly less than `n` (n > 1).
fn split_point(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH of leaves [start, end), start < end, from complete aligned subtrees.
fn range_hash(nodes: &impl Nodes, start: u64, end: u64) -> Result<Hash, ProofError> {
    let len = end - start;
    if len.is_power_of_two() && start & (len - 1) == 0 {
        let level = len.trailing_zeros();
        return nodes.node(level, start >> level);
    }
    let k = split_point(len);
    let left = range_hash(nodes, start, start + k)?;
    let right = range_hash(nodes, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The tree head (MTH) of the first `size` leaves.
pub fn root(nodes: &impl Nodes, size: u64) -> Result<Hash, ProofError> {
    if size == 0 {
        Ok(empty_root())
    } else {
        range_hash(nodes, 0, size)
    }
}

/// The RFC 6962 audit path PATH(index, D[size]) for leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(nodes: &impl Nodes, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange(format!(
            "leaf index {index} is not in a tree of {size} leaves"
        )));
    }
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(proof)
}

/// PATH(m, D[start:end]) with `m` an absolute leaf index inside the range.
fn path(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    if end - start <= 1 {
        return Ok(());
    }
    let mid = start + split_point(end - start);
    if m < mid {
        path(nodes, m, start, mid, out)?;
        out.push(range_hash(nodes, mid, end)?);
    } else {
        path(nodes, m, mid, end, out)?;
        out.push(range_hash(nodes, start, mid)?);
    }
    Ok(())
}

/// The RFC 6962 consistency proof PROOF(old_size, D[new_size]), 0 < old_size <= new_size.
pub fn consistency_proof(
    nodes: &impl Nodes,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_consistency_sizes(old_size, new_size)?;
    let mut proof = Vec::new();
    subproof(nodes, old_size, 0, new_size, true, &mut proof)?;
    Ok(proof)
}

fn check_consistency_sizes(old_size: u64, new_size: u64) -> Result<(), ProofError> {
    if old_size == 0 || old_size > new_size {
        return Err(ProofError::OutOfRange(format!(
            "a consistency proof needs 0 < old size <= new size, not {old_size} and {new_size}"
        )));
    }
    Ok(())
}

/// SUBPROOF(m, D[start:end], b) with `m` counted from `start`.
fn subproof(
    nodes: &impl Nodes,
    m: u64,
    start: u64,
    end: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if m == n {
        if !complete {
            out.push(range_hash(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(nodes, m, start, start + k, complete, out)?;
        out.push(range_hash(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, out)?;
        out.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// The length of PATH(index, D[size]), for index < size.
fn inclusion_len(mut index: u64, mut size: u64) -> usize {
    let mut len = 0;
    while size > 1 {
        let k = split_point(size);
        if index >= k {
            index -= k;
            size -= k;
        } else {
            size = k;
        }
        len += 1;
    }
    len
}

/// The length of PROOF(old, D[new]), for 0 < old <= new.
fn consistency_len(mut old: u64, mut new: u64) -> usize {
    let mut len = 0;
    let mut complete = true;
    while old != new {
        let k = split_point(new);
        if old <= k {
            new = k;
        } else {
            old -= k;
            new -= k;
            complete = false;
        }
        len += 1;
    }
    len + usize::from(!complete)
}

/// Verifies an inclusion proof as in RFC 9162 section 2.1.3.2; `size` and `root` must come
/// from the same signed tree head, since a proof alone does not pin the size.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange(format!(
            "leaf index {index} is not in a tree of {size} leaves"
        )));
    }
    let expected = inclusion_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength {
                expected,
                got: proof.len(),
            });
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    if r == *root {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}

/// Verifies a consistency proof as in RFC 9162 section 2.1.4.2 (equal sizes need an
/// empty proof and equal roots).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_consistency_sizes(old_size, new_size)?;
    let expected = consistency_len(old_size, new_size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            got: proof.len(),
        });
    }
    if old_size == new_size {
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::Mismatch)
        };
    }
    let wrong_length = ProofError::WrongLength {
        expected,
        got: proof.len(),
    };
    // Step 1: a complete old tree is itself the first node of the path.
    let first = old_size.is_power_of_two().then_some(old_root);
    let mut path = first.into_iter().chain(proof.iter());
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let start = path.next().ok_or_else(|| wrong_length.clone())?;
    let (mut fr, mut sr) = (*start, *start);
    for c in path {
        if s == 0 {
            return Err(wrong_length);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(wrong_length);
    }
    if fr == *old_root && sr == *new_root {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cell::Cell;
    use std::collections::HashMap;

    fn h(s: &str) -> Hash {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    fn hs(v: &[&str]) -> Vec<Hash> {
        v.iter().map(|s| h(s)).collect()
    }

    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn vector_leaf_hashes() -> Vec<Hash> {
        LEAVES
            .iter()
            .map(|l| leaf_hash(&hex::decode(l).unwrap()))
            .collect()
    }

    fn vector_tree() -> MemoryTree {
        MemoryTree::from_leaf_hashes(vector_leaf_hashes())
    }

    /// A store that keeps exactly the rows `new_nodes_for_leaf` hands it, and counts reads.
    #[derive(Default)]
    struct RowStore {
        rows: HashMap<(u32, u64), Hash>,
        size: u64,
        reads: Cell<u64>,
    }

    impl Nodes for RowStore {
        fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
            self.reads.set(self.reads.get() + 1);
            self.rows
                .get(&(level, index))
                .copied()
                .ok_or(ProofError::MissingNode { level, index })
        }
    }

    impl RowStore {
        fn append(&mut self, lh: Hash) {
            for (l, i, hash) in new_nodes_for_leaf(self.size, lh, self).unwrap() {
                assert!(
                    self.rows.insert((l, i), hash).is_none(),
                    "row written twice"
                );
            }
            self.size += 1;
        }
    }

    // Naive RFC 6962 section 2.1, straight from the text, over leaf hashes.
    fn k_of(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => d[0],
            n => {
                let k = k_of(n);
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    fn naive_path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n <= 1 {
            return vec![];
        }
        let k = k_of(n);
        if m < k {
            let mut p = naive_path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = naive_path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn naive_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = k_of(n);
        if m <= k {
            let mut p = naive_subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = naive_subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn naive_proof(m: usize, d: &[Hash]) -> Vec<Hash> {
        naive_subproof(m, d, true)
    }

    /// The sequence of left/right combinations RFC 9162 2.1.3.2 performs (index < size).
    fn inclusion_shape(index: u64, size: u64) -> Vec<bool> {
        let (mut f, mut s) = (index, size - 1);
        let mut ops = Vec::new();
        while s != 0 {
            let left = f & 1 == 1 || f == s;
            ops.push(left);
            while left && f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
            f >>= 1;
            s >>= 1;
        }
        ops
    }

    /// Whether the old root is prepended, and the operations RFC 9162 2.1.4.2 performs.
    fn consistency_shape(old: u64, new: u64) -> Option<(bool, Vec<bool>)> {
        if old == new {
            return None;
        }
        let (mut f, mut s) = (old - 1, new - 1);
        while f & 1 == 1 {
            f >>= 1;
            s >>= 1;
        }
        let mut ops = Vec::new();
        while s != 0 {
            let both = f & 1 == 1 || f == s;
            ops.push(both);
            while both && f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
            f >>= 1;
            s >>= 1;
        }
        Some((old.is_power_of_two(), ops))
    }

    fn hashes(n: usize, seed: u8) -> Vec<Hash> {
        (0..n)
            .map(|i| {
                let mut raw = [seed; 32];
                raw[..8].copy_from_slice(&(i as u64).to_be_bytes());
                leaf_hash(&raw)
            })
            .collect()
    }

    #[test]
    fn primitives() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(hex::encode(leaf_hash(b"")), ROOTS[0]);
        let t = MemoryTree::new(&[]);
        assert_eq!(t.size(), 0);
        assert_eq!(root(&t, 0).unwrap(), empty_root());
    }

    #[test]
    fn reference_roots() {
        let t = vector_tree();
        for (i, want) in ROOTS.iter().enumerate() {
            assert_eq!(
                hex::encode(root(&t, i as u64 + 1).unwrap()),
                *want,
                "size {}",
                i + 1
            );
        }
        let mut inc = MemoryTree::default();
        for (i, lh) in vector_leaf_hashes().into_iter().enumerate() {
            inc.push_leaf_hash(lh).unwrap();
            assert_eq!(hex::encode(root(&inc, i as u64 + 1).unwrap()), ROOTS[i]);
        }
        assert_eq!(inc, t);
    }

    #[test]
    fn reference_inclusion_proofs() {
        let t = vector_tree();
        let lhs = vector_leaf_hashes();
        let cases: [(u64, u64, Vec<Hash>); 4] = [
            (
                0,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                5,
                8,
                hs(&[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                3,
                hs(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            ),
            (
                1,
                5,
                hs(&[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
        ];
        for (index, size, want) in cases {
            let got = inclusion_proof(&t, index, size).unwrap();
            assert_eq!(got, want, "leaf {index} of {size}");
            let r = root(&t, size).unwrap();
            verify_inclusion(&lhs[index as usize], index, size, &got, &r).unwrap();
        }
        // A one-leaf tree: the path is empty and the leaf hash is the root.
        assert!(inclusion_proof(&t, 0, 1).unwrap().is_empty());
        verify_inclusion(&lhs[0], 0, 1, &[], &h(ROOTS[0])).unwrap();
    }

    #[test]
    fn reference_consistency_proofs() {
        let t = vector_tree();
        let cases: [(u64, u64, Vec<Hash>); 4] = [
            (1, 1, vec![]),
            (
                1,
                8,
                hs(&[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]),
            ),
            (
                6,
                8,
                hs(&[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]),
            ),
            (
                2,
                5,
                hs(&[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ]),
            ),
        ];
        for (old, new, want) in cases {
            let got = consistency_proof(&t, old, new).unwrap();
            assert_eq!(got, want, "{old} -> {new}");
            let (r1, r2) = (h(ROOTS[old as usize - 1]), h(ROOTS[new as usize - 1]));
            verify_consistency(old, new, &r1, &r2, &got).unwrap();
        }
    }

    #[test]
    fn out_of_range_is_an_error() {
        let t = vector_tree();
        let lh = vector_leaf_hashes()[0];
        let r = root(&t, 8).unwrap();
        let oor = |e: ProofError| matches!(e, ProofError::OutOfRange(_));
        assert!(oor(inclusion_proof(&t, 8, 8).unwrap_err()));
        assert!(oor(inclusion_proof(&t, 0, 0).unwrap_err()));
        assert!(oor(inclusion_proof(&t, u64::MAX, u64::MAX).unwrap_err()));
        assert!(oor(verify_inclusion(&lh, 8, 8, &[], &r).unwrap_err()));
        assert!(oor(verify_inclusion(&lh, 0, 0, &[], &r).unwrap_err()));
        assert!(oor(verify_inclusion(&lh, u64::MAX, 0, &[], &r).unwrap_err()));
        assert!(oor(consistency_proof(&t, 5, 4).unwrap_err()));
        assert!(oor(consistency_proof(&t, 0, 4).unwrap_err()));
        assert!(oor(consistency_proof(&t, 0, 0).unwrap_err()));
        assert!(oor(verify_consistency(5, 4, &r, &r, &[]).unwrap_err()));
        assert!(oor(verify_consistency(0, 4, &r, &r, &[]).unwrap_err()));
        assert!(oor(verify_consistency(0, 0, &r, &r, &[]).unwrap_err()));
        assert!(oor(new_nodes_for_leaf(u64::MAX, lh, &t).unwrap_err()));
        // Beyond what is stored: a missing node, not a panic.
        assert!(matches!(root(&t, 9), Err(ProofError::MissingNode { .. })));
        assert!(matches!(
            root(&t, u64::MAX),
            Err(ProofError::MissingNode { .. })
        ));
        assert!(matches!(
            inclusion_proof(&t, 3, u64::MAX),
            Err(ProofError::MissingNode { .. })
        ));
        assert!(matches!(
            consistency_proof(&t, 3, u64::MAX),
            Err(ProofError::MissingNode { .. })
        ));
        // Huge sizes in a verifier: a length error, not a panic or a long loop.
        assert!(matches!(
            verify_inclusion(&lh, u64::MAX - 1, u64::MAX, &[], &r),
            Err(ProofError::WrongLength {
                expected: 63,
                got: 0
            })
        ));
        assert!(matches!(
            verify_consistency(1, u64::MAX, &r, &r, &[]),
            Err(ProofError::WrongLength { .. })
        ));
        verify_consistency(u64::MAX, u64::MAX, &r, &r, &[]).unwrap();
        // Equal sizes need equal roots and an empty proof.
        assert_eq!(
            verify_consistency(3, 3, &r, &lh, &[]),
            Err(ProofError::Mismatch)
        );
        assert!(matches!(
            verify_consistency(3, 3, &r, &r, &[r]),
            Err(ProofError::WrongLength {
                expected: 0,
                got: 1
            })
        ));
    }

    #[test]
    fn size_is_bound_by_the_tree_head_not_the_proof() {
        // PATH(0, D[5]) and PATH(0, D[6]) have the same shape, so the RFC 9162 verifier
        // accepts the size-5 proof and root with a claimed size of 6: callers must take
        // the size and root together from one checkpoint.
        let t = vector_tree();
        let lh = vector_leaf_hashes()[0];
        let proof = inclusion_proof(&t, 0, 5).unwrap();
        let r5 = root(&t, 5).unwrap();
        assert_eq!(verify_inclusion(&lh, 0, 6, &proof, &r5), Ok(()));
        assert_eq!(
            verify_inclusion(&lh, 0, 6, &proof, &root(&t, 6).unwrap()),
            Err(ProofError::Mismatch)
        );
    }

    #[test]
    fn pushes_create_exactly_the_complete_nodes() {
        let mut store = RowStore::default();
        for (i, lh) in hashes(1000, 7).into_iter().enumerate() {
            let before = store.rows.len();
            store.append(lh);
            let n = i as u64 + 1;
            // 2n - popcount(n) complete aligned subtrees exist in a tree of n leaves.
            assert_eq!(store.rows.len() as u64, 2 * n - u64::from(n.count_ones()));
            assert!(store.rows.len() - before <= 1 + n.trailing_zeros() as usize);
        }
        // A root reads one node per set bit of the size; a proof O(log n) nodes.
        store.reads.set(0);
        root(&store, 1000).unwrap();
        assert_eq!(store.reads.get(), u64::from(1000u64.count_ones()));
        store.reads.set(0);
        inclusion_proof(&store, 999, 1000).unwrap();
        consistency_proof(&store, 999, 1000).unwrap();
        assert!(store.reads.get() <= 4 * 10);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn matches_naive_rfc6962(size in 1usize..=70, a in any::<u64>(), b in any::<u64>(), seed in any::<u8>()) {
            let leaves = hashes(size, seed);
            let mut tree = MemoryTree::default();
            let mut store = RowStore::default();
            for &lh in &leaves {
                let rows = tree.push_leaf_hash(lh).unwrap();
                prop_assert_eq!(&rows, &new_nodes_for_leaf(store.size, lh, &store).unwrap());
                store.append(lh);
            }
            prop_assert_eq!(&tree, &MemoryTree::from_leaf_hashes(leaves.clone()));
            let n = size as u64;
            let m = (a % n) as usize;
            let old = (b % n) as usize + 1;
            for s in 0..=size {
                prop_assert_eq!(root(&tree, s as u64).unwrap(), mth(&leaves[..s]));
            }
            prop_assert_eq!(root(&store, n).unwrap(), mth(&leaves));
            prop_assert_eq!(inclusion_proof(&tree, m as u64, n).unwrap(), naive_path(m, &leaves));
            prop_assert_eq!(inclusion_proof(&store, m as u64, n).unwrap(), naive_path(m, &leaves));
            prop_assert_eq!(
                consistency_proof(&tree, old as u64, n).unwrap(),
                naive_proof(old, &leaves)
            );
            prop_assert_eq!(
                consistency_proof(&store, old as u64, n).unwrap(),
                naive_proof(old, &leaves)
            );
        }

        #[test]
        fn inclusion_proofs_verify_and_tampering_fails(
            size in 1u64..=70, a in any::<u64>(), pick in any::<usize>(), bit in 0usize..256,
        ) {
            let leaves = hashes(size as usize, 1);
            let tree = MemoryTree::from_leaf_hashes(leaves.clone());
            let index = a % size;
            let lh = leaves[index as usize];
            let r = root(&tree, size).unwrap();
            let proof = inclusion_proof(&tree, index, size).unwrap();
            prop_assert_eq!(proof.len(), inclusion_len(index, size));
            prop_assert_eq!(verify_inclusion(&lh, index, size, &proof, &r), Ok(()));

            // Flip a bit in any proof hash.
            if !proof.is_empty() {
                let mut bad = proof.clone();
                bad[pick % proof.len()][bit / 8] ^= 1 << (bit % 8);
                prop_assert!(verify_inclusion(&lh, index, size, &bad, &r).is_err());
            }
            // Flip a bit of the leaf or of the root.
            let mut bad_leaf = lh;
            bad_leaf[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(&bad_leaf, index, size, &proof, &r).is_err());
            let mut bad_root = r;
            bad_root[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(&lh, index, size, &proof, &bad_root).is_err());
            // Another index, in range or not.
            for other in [index.wrapping_sub(1), index + 1, index ^ 1, index ^ 2] {
                if other != index {
                    prop_assert!(verify_inclusion(&lh, other, size, &proof, &r).is_err());
                }
            }
            // Size ± 1: RFC 9162 verification only depends on the path's shape, so a
            // different size is accepted exactly when it gives the same shape (the size
            // is authenticated by the signed tree head, not by the proof).
            for other in [size + 1, size - 1] {
                let same = other > index && inclusion_shape(index, other) == inclusion_shape(index, size);
                prop_assert_eq!(verify_inclusion(&lh, index, other, &proof, &r).is_ok(), same);
            }
            // A hash more or fewer, anywhere.
            let mut longer = proof.clone();
            longer.insert(pick % (proof.len() + 1), r);
            prop_assert!(verify_inclusion(&lh, index, size, &longer, &r).is_err());
            if !proof.is_empty() {
                let mut shorter = proof.clone();
                shorter.remove(pick % proof.len());
                prop_assert!(verify_inclusion(&lh, index, size, &shorter, &r).is_err());
            }
        }

        #[test]
        fn consistency_proofs_verify_and_tampering_fails(
            new in 1u64..=70, a in any::<u64>(), pick in any::<usize>(), bit in 0usize..256,
        ) {
            let leaves = hashes(new as usize, 2);
            let tree = MemoryTree::from_leaf_hashes(leaves);
            let old = a % new + 1;
            let (r1, r2) = (root(&tree, old).unwrap(), root(&tree, new).unwrap());
            let proof = consistency_proof(&tree, old, new).unwrap();
            prop_assert_eq!(proof.len(), consistency_len(old, new));
            prop_assert_eq!(verify_consistency(old, new, &r1, &r2, &proof), Ok(()));

            if !proof.is_empty() {
                let mut bad = proof.clone();
                bad[pick % proof.len()][bit / 8] ^= 1 << (bit % 8);
                prop_assert!(verify_consistency(old, new, &r1, &r2, &bad).is_err());
            }
            let mut bad1 = r1;
            bad1[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(old, new, &bad1, &r2, &proof).is_err());
            let mut bad2 = r2;
            bad2[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(old, new, &r1, &bad2, &proof).is_err());
            // Sizes ± 1 (either end): accepted exactly when the proof's shape is the same.
            let shape = consistency_shape(old, new);
            for (o, n) in [(old + 1, new), (old - 1, new), (old, new + 1), (old, new - 1)] {
                let same = o > 0 && o <= n && consistency_shape(o, n) == shape;
                prop_assert_eq!(verify_consistency(o, n, &r1, &r2, &proof).is_ok(), same);
            }
            // Swapped roots (unless they are the same tree).
            if old != new {
                prop_assert!(verify_consistency(old, new, &r2, &r1, &proof).is_err());
            }
            let mut longer = proof.clone();
            longer.insert(pick % (proof.len() + 1), r1);
            prop_assert!(verify_consistency(old, new, &r1, &r2, &longer).is_err());
            if !proof.is_empty() {
                let mut shorter = proof.clone();
                shorter.remove(pick % proof.len());
                prop_assert!(verify_consistency(old, new, &r1, &r2, &shorter).is_err());
            }
        }

        #[test]
        fn verifiers_never_panic(
            index in any::<u64>(), size in any::<u64>(), old in any::<u64>(), new in any::<u64>(),
            n in 0usize..70,
        ) {
            let proof = hashes(n, 3);
            let x = proof.first().copied().unwrap_or_default();
            let _ = verify_inclusion(&x, index, size, &proof, &x);
            let _ = verify_consistency(old, new, &x, &x, &proof);
            let _ = verify_inclusion(&x, index % 80, size % 80, &proof, &x);
            let _ = verify_consistency(old % 80, new % 80, &x, &x, &proof);
            let tree = MemoryTree::from_leaf_hashes(proof.clone());
            let _ = root(&tree, size % 80);
            let _ = inclusion_proof(&tree, index % 80, size % 80);
            let _ = consistency_proof(&tree, old % 80, new % 80);
        }
    }
}
