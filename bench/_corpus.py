"""A synthetic arXiv corpus for the search benchmark, built once and cached under bench/.cache.

Titles of about 10 and abstracts of about 150 words are drawn with Zipf weights from an ML/NLP
vocabulary; 1–8 authors from name pools (some with diacritics); a Chinese summary for every
fifth paper, built from real Chinese technical words. Rows are streamed into the real schema
(migrations, triggers) in batches, so memory stays flat whatever the size.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.cjk import cjk_bigrams
from storage.db import Database

GENERATOR_VERSION = 1
CACHE = Path(__file__).resolve().parent / ".cache"
BATCH = 5_000


def _split(text: str) -> list[str]:
    return text.split()


# Frequent words first: the Zipf weight of a word falls with its position in this text.
WORDS = _split("""
the of and a to in we for is that on with model language this by are as our large from
models learning an which be data performance method can training approach results show
task tasks using based neural these it propose its both has have such llms than network
paper text new existing methods more two framework evaluation generation benchmark
reasoning transformer attention across while over via at also between information
knowledge multiple high quality however or where prompt prompts fine tuning inference
semantic context retrieval augmented agents agent alignment human feedback reinforcement
policy reward preference optimization gradient loss representations embedding embeddings
token tokens sequence decoder encoder pretrained pretraining instruction instructions
downstream zero shot few contrastive supervised unsupervised self dataset datasets
accuracy robustness adversarial safety harmful toxic bias fairness privacy memory efficient
efficiency latency throughput compression quantization pruning distillation sparse mixture
experts scaling laws parameters billion compute hardware gpu kernel parallel distributed
speculative decoding cache kv long short window positional rotary vision visual image
images video audio speech multimodal cross modal captioning grounding segmentation
detection classification regression graph graphs node nodes edges molecular protein
chemistry physics quantum medical clinical legal financial code programming software
mathematical math theorem proof planning tool tools use web navigation environment
simulation robot robotic control trajectory diffusion generative adversarial variational
autoencoder latent space manifold geometry kernel bayesian uncertainty calibration
hallucination hallucinations factuality faithfulness citation evidence verification
chain thought step reflection critique debate consensus ensemble voting search tree
monte carlo sampling temperature beam greedy evaluation metric metrics human annotators
crowdsourcing annotation labels noisy weak curriculum continual lifelong forgetting
catastrophic transfer domain adaptation generalization distribution shift robust
interpretability mechanistic circuits neurons probing attribution saliency explanation
watermarking detection jailbreak jailbreaks red teaming attack attacks defense backdoor
poisoning membership inference unlearning editing steering activation activations
multilingual translation low resource chinese english summarization dialogue conversational
question answering open ended closed book recommendation ranking retrieval dense sparse
lexical bm25 reranking index corpus documents passages queries query user users
personalization persona role play emotion sentiment stance misinformation social media
education students tutoring assessment clinical notes radiology pathology genomics
climate weather forecasting time series anomaly tabular spreadsheet sql database
scientific discovery literature survey review benchmark leaderboard open source weights
license reproducibility efficient fine tuning lora adapters prefix prompt tuning
""")

_FUNCTION_WORDS = set(
    _split("that this with these which from than such both have also while over where")
)
TITLE_WORDS = [w for w in WORDS if len(w) > 3 and w not in _FUNCTION_WORDS]

CHINESE_WORDS = _split("""
大语言模型 检索增强生成 对齐 幻觉 微调 推理 多模态 智能体 量化 蒸馏 预训练 指令微调
强化学习 人类反馈 奖励模型 偏好优化 思维链 上下文学习 提示工程 知识图谱 长上下文 注意力机制
混合专家 稀疏 推测解码 缓存 压缩 剪枝 低秩适配 评测基准 数据集 安全 越狱攻击 红队测试
可解释性 水印 隐私 遗忘 编辑 代码生成 数学推理 规划 工具调用 多语言 机器翻译 摘要 对话
问答 推荐系统 文本生成 图像生成 视频理解 语音识别 扩散模型 向量检索 重排序 事实性 鲁棒性
泛化 效率 延迟 吞吐量 分布式训练 并行 显存 开源 复现
""")

CHINESE_GLUE = _split("""
本文提出 一种 新的 方法 我们 研究了 在 上 的 和 以及 通过 实验表明 显著提升 有效降低 同时
相比 现有 工作 进一步 分析 表明 该 框架 能够 提高 性能 问题 结果 基于 针对
""")

GIVEN = _split("""
Wei Jing Xin Yu Hao Lei Min Yan Tao Chen Li Ming Jun Hui Yang Zhi Alice Bob Carol David
Emma Frank Grace Henry Isabel Jack Karen Liam Maria Noah Olivia Peter Quinn Rosa Sam
Tomás José María Zoë Chloé Søren Björn Jürgen François Noémie Ángel Joaquín Łukasz
Mateo Sofia Hiroshi Yuki Sakura Arjun Priya Ananya Rahul Omar Fatima Ali Leila
""")

FAMILY = _split("""
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao
Smith Johnson Brown Miller Davis Wilson Taylor Anderson Thomas Moore Martin Lee Clark
Ramírez García Martínez Hernández López González Pérez Sánchez Gómez Díaz Muñoz Álvarez
Müller Schröder Schäfer Köhler Jäger Dvořák Nováková Kowalski Wójcik Søndergaard Ødegaard
Tanaka Suzuki Takahashi Watanabe Kim Park Choi Patel Sharma Gupta Singh Kumar Nguyen Tran
Dubois Lefèvre Rossi Bianchi Ferrari Costa Silva Santos Oliveira Haddad Khan Rahman
""")

CATEGORIES = ["cs.CL", "cs.LG", "cs.AI", "cs.CV", "cs.IR", "stat.ML", "cs.CR", "cs.RO"]


def _zipf_weights(n: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) for rank in range(n)))


class Generator:
    """Deterministic papers: the same seed gives the same corpus."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.word_weights = _zipf_weights(len(WORDS))
        self.title_weights = _zipf_weights(len(TITLE_WORDS))
        self.zh_weights = _zipf_weights(len(CHINESE_WORDS))

    def words(self, pool: list[str], weights: list[float], count: int) -> list[str]:
        return self.rng.choices(pool, cum_weights=weights, k=count)

    def title(self) -> str:
        words = self.words(TITLE_WORDS, self.title_weights, self.rng.randint(6, 14))
        return " ".join(words).capitalize()

    def abstract(self) -> str:
        words = self.words(WORDS, self.word_weights, self.rng.randint(110, 190))
        sentences = [" ".join(words[i : i + 18]) for i in range(0, len(words), 18)]
        return ". ".join(s.capitalize() for s in sentences) + "."

    def authors(self) -> list[str]:
        count = self.rng.randint(1, 8)
        return [f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}" for _ in range(count)]

    def summary_zh(self) -> str:
        parts = []
        for _ in range(self.rng.randint(12, 24)):
            parts.append(self.rng.choice(CHINESE_GLUE))
            parts.extend(self.words(CHINESE_WORDS, self.zh_weights, self.rng.randint(1, 2)))
        return "".join(parts) + "。"


def arxiv_id(index: int) -> str:
    """A new-style id, 5-digit numbers within a month, months in order."""
    month, number = divmod(index, 30_000)
    year, mon = divmod(month, 12)
    return f"{23 + year:02d}{mon + 1:02d}.{number + 1:05d}"


def _rows(generator: Generator, start: int, stop: int) -> Iterator[tuple]:
    epoch = datetime(2023, 1, 1, tzinfo=UTC)
    for index in range(start, stop):
        announced = (epoch + timedelta(minutes=index * 3)).isoformat(timespec="seconds")
        categories = generator.rng.sample(CATEGORIES, generator.rng.randint(1, 3))
        yield (
            arxiv_id(index),
            1,
            generator.title(),
            json.dumps(generator.authors(), ensure_ascii=False),
            generator.abstract(),
            json.dumps(categories),
            announced,
            announced,
            announced,
            "new",
            announced,
            announced,
        )


_INSERT_PAPER = (
    "INSERT INTO papers (arxiv_id, version, title, authors, abstract, categories,"
    " submitted_at, updated_at, announced_at, announce_type, created_at, changed_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SUMMARY = (
    "INSERT INTO summaries (paper_id, lang, text, source, created_at)"
    " SELECT id, 'zh', ?, 'llm', created_at FROM papers WHERE arxiv_id = ?"
)


def _fill(path: Path, papers: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.create_function("cjk_bigrams", 1, cjk_bigrams, deterministic=True)
    conn.execute("PRAGMA synchronous = OFF")
    generator = Generator()
    for start in range(0, papers, BATCH):
        stop = min(start + BATCH, papers)
        conn.execute("BEGIN")
        conn.executemany(_INSERT_PAPER, _rows(generator, start, stop))
        summaries = (
            (generator.summary_zh(), arxiv_id(i)) for i in range(start, stop) if i % 5 == 0
        )
        conn.executemany(_INSERT_SUMMARY, summaries)
        conn.execute("COMMIT")
        print(f"  {stop:,} papers", flush=True)
    conn.execute("INSERT INTO paper_fts (paper_fts) VALUES ('optimize')")
    conn.close()


def cached_database(papers: int) -> Path:
    """The path of a built corpus of this size, building it first when it is not cached."""
    path = CACHE / f"search-{papers}-v{GENERATOR_VERSION}.sqlite3"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    asyncio.run(_migrate(partial))
    print(f"building {papers:,} papers into {path.name} …", flush=True)
    _fill(partial, papers)
    partial.rename(path)
    return path


async def _migrate(path: Path) -> None:
    database = await Database.open(path)
    await database.close()
