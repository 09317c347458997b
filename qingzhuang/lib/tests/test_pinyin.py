from qingzhuang.lib.pinyin import as_query, keys


def test_full_pinyin_and_initials():
    assert keys("张伟") == ("zhangwei", "zw")
    assert keys("邓家村") == ("dengjiacun", "djc")


def test_polyphonic_surnames_are_found_by_either_reading():
    # pypinyin reads 单 dan and 曾 ceng in these names; as surnames they are shan and zeng.
    assert keys("单雄信", surname=True) == ("danxiongxin shanxiongxin", "dxx sxx")
    assert keys("曾国藩", surname=True) == ("cengguofan zengguofan", "cgf zgf")
    # Only people's names are read as surnames: a unit named 单家村 is not.
    assert keys("单家村") == ("danjiacun", "djc")


def test_u_umlaut_is_v_and_u_and_punctuation_and_latin_letters():
    assert keys("吕布", surname=True) == ("lvbu lubu", "lb")
    assert keys("阿依古丽·买买提") == ("ayigulimaimaiti", "ayglmmt")
    assert keys("X光室") == ("xguangshi", "xgs")
    assert keys("") == ("", "")


def test_keys_stay_within_the_column():
    full, initials = keys("张" * 50, max_length=40)
    assert full == "zhang" * 8 and initials == "z" * 40


def test_as_query():
    assert [as_query(q) for q in ("Zhang Wei", "zhang'wei", "ZW", "张伟", "138", "zhang3", "")] == [
        "zhangwei",
        "zhangwei",
        "zw",
        "",
        "",
        "",
        "",
    ]
