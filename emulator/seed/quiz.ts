/**
 * Demo question bank for the daily quiz: questions on 党章, 党史, the 二十大 report and branch
 * work rules, as a district's organiser would import them. Answers follow the texts named in 出处.
 * seedQuiz puts them in the district's bank (demo: 郑州市金水区委 d1; district: 宛城区委 w1), and
 * stores the daily sets of the days before the seed as the quiz function would have stored them,
 * so practice (专题练习) has questions already asked from the first minute of a demo.
 */
import { toStoredQuestion } from '../../core/quiz/bank';
import { markUsed, newConfig, pickDailySet, setId, type QuizConfig, type StoredSet } from '../../core/quiz/daily-set';
import { addDays, dayOf } from '../../core/quiz/day';
import { JUDGE_OPTIONS, type QuestionType, type StoredQuestion } from '../../core/quiz/question';
import type { SeedSize, SeedStore } from './index';

type Row = [QuestionType, string, string[], string, string, string, string[], 1 | 2 | 3];

const J: string[] = [];
const ZC = '党章';
const DS = '党史';
const ESD = '党的二十大报告';
const ZB = '中国共产党支部工作条例（试行）';

export const DEMO_QUESTIONS: Row[] = [
  // ---- 党章
  ['single', '党章规定，党员必须履行的义务共有几项？', ['六项', '七项', '八项', '九项'], 'C', '党章第三条规定了党员必须履行的八项义务。', ZC, ['党章', '党员义务'], 1],
  ['single', '党章规定，党员享有的权利共有几项？', ['六项', '七项', '八项', '十项'], 'C', '党章第四条规定了党员享有的八项权利。', ZC, ['党章', '党员权利'], 1],
  ['single', '预备党员的预备期为多长时间？', ['六个月', '一年', '一年半', '两年'], 'B', '党章第七条规定，预备党员的预备期为一年。', ZC, ['党章', '发展党员'], 1],
  ['single', '年满多少岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，可以申请加入中国共产党？', ['十六岁', '十七岁', '十八岁', '二十岁'], 'C', '党章第一条规定，年满十八岁的先进分子可以申请入党。', ZC, ['党章', '发展党员'], 1],
  ['single', '党的最高领导机关是什么？', ['党的全国代表大会和它所产生的中央委员会', '中央政治局', '中央政治局常务委员会', '中央书记处'], 'A', '党章第十条规定，党的最高领导机关是党的全国代表大会和它所产生的中央委员会。', ZC, ['党章', '组织制度'], 2],
  ['single', '党的全国代表大会每几年举行一次？', ['三年', '四年', '五年', '六年'], 'C', '党章第十九条规定，党的全国代表大会每五年举行一次，由中央委员会召集。', ZC, ['党章', '组织制度'], 1],
  ['single', '企业、农村、机关、学校、科研院所、街道社区、社会组织等基层单位，凡是有正式党员几人以上的，都应当成立党的基层组织？', ['二人', '三人', '五人', '七人'], 'B', '党章第三十条规定，凡是有正式党员三人以上的基层单位，都应当成立党的基层组织。', ZC, ['党章', '基层组织'], 1],
  ['single', '党员如果没有正当理由，连续多长时间不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党？', ['三个月', '六个月', '九个月', '一年'], 'B', '党章第九条规定，连续六个月无正当理由不参加组织生活、不交党费或不做党分配的工作，被认为是自行脱党。', ZC, ['党章', '党员管理'], 1],
  ['single', '党的纪律处分有几种？', ['三种', '四种', '五种', '六种'], 'C', '党章第四十条规定，党的纪律处分有五种：警告、严重警告、撤销党内职务、留党察看、开除党籍。', ZC, ['党章', '党的纪律'], 1],
  ['multi', '下列属于党的纪律处分种类的有（ ）。', ['警告', '严重警告', '撤销党内职务', '留党察看', '降级'], 'ABCD', '党的纪律处分为警告、严重警告、撤销党内职务、留党察看、开除党籍；“降级”是政务处分，不是党纪处分。', ZC, ['党章', '党的纪律'], 2],
  ['single', '留党察看最长不超过多长时间？', ['六个月', '一年', '两年', '三年'], 'C', '党章第四十条规定，留党察看最长不超过两年。', ZC, ['党章', '党的纪律'], 2],
  ['judge', '党员在留党察看期间没有表决权、选举权和被选举权。', J, '正确', '党章第四十条规定，党员在留党察看期间没有表决权、选举权和被选举权。', ZC, ['党章', '党的纪律'], 2],
  ['single', '党的纪律主要包括政治纪律、组织纪律、廉洁纪律、（ ）、工作纪律、生活纪律。', ['宣传纪律', '群众纪律', '财经纪律', '保密纪律'], 'B', '党章第四十条规定，党的纪律主要包括政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律。', ZC, ['党章', '党的纪律'], 1],
  ['single', '中国共产党的最高理想和最终目标是什么？', ['全面建成小康社会', '实现共产主义', '实现社会主义现代化', '实现共同富裕'], 'B', '党章总纲指出，党的最高理想和最终目标是实现共产主义。', ZC, ['党章', '理想信念'], 1],
  ['single', '党的根本宗旨是什么？', ['全心全意为人民服务', '实事求是', '解放思想', '艰苦奋斗'], 'A', '党章总纲指出，党除了工人阶级和最广大人民群众的利益，没有自己特殊的利益；全心全意为人民服务是党的根本宗旨。', ZC, ['党章', '宗旨'], 1],
  ['judge', '党员的党龄，从预备期满转为正式党员之日算起。', J, '正确', '党章第七条规定，党员的党龄从预备期满转为正式党员之日算起。', ZC, ['党章', '发展党员'], 1],
  ['single', '入党誓词的最后一句是什么？', ['永远跟党走', '永不叛党', '为共产主义奋斗终身', '全心全意为人民服务'], 'B', '入党誓词最后一句是“随时准备为党和人民牺牲一切，永不叛党”。', ZC, ['党章', '入党誓词'], 1],
  ['single', '党的根本组织原则是什么？', ['集体领导', '民主集中制', '少数服从多数', '个人分工负责'], 'B', '党章第十条规定，党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。', ZC, ['党章', '组织制度'], 1],
  ['single', '中国共产党党徽的图案是什么？', ['五角星', '镰刀和锤头组成的图案', '麦穗和齿轮', '天安门'], 'B', '党章第五十四条规定，中国共产党党徽为镰刀和锤头组成的图案。', ZC, ['党章', '党徽党旗'], 1],
  ['single', '预备党员的权利，除了没有（ ）以外，也同正式党员一样。', ['知情权和建议权', '表决权、选举权和被选举权', '批评权和申诉权', '参加党的会议的权利'], 'B', '党章第七条规定，预备党员的权利除了没有表决权、选举权和被选举权以外，也同正式党员一样。', ZC, ['党章', '发展党员'], 2],
  ['single', '发展党员，必须经过党的支部，坚持什么原则？', ['集体吸收', '个别吸收', '自愿申请', '组织推荐'], 'B', '党章第五条规定，发展党员必须经过党的支部，坚持个别吸收的原则。', ZC, ['党章', '发展党员'], 1],
  ['single', '申请入党的人，要有几名正式党员作介绍人？', ['一名', '两名', '三名', '五名'], 'B', '党章第五条规定，申请入党的人要有两名正式党员作介绍人。', ZC, ['党章', '发展党员'], 1],
  ['judge', '党员个人服从党的组织，少数服从多数，下级组织服从上级组织，全党各个组织和全体党员服从党的全国代表大会和中央委员会。', J, '正确', '这是党章第十条规定的民主集中制基本原则中的“四个服从”。', ZC, ['党章', '组织制度'], 1],
  ['single', '党的省、自治区、直辖市、设区的市和自治州、县（旗）的代表大会，每几年举行一次？', ['三年', '四年', '五年', '六年'], 'C', '党章第二十四条规定，党的地方各级代表大会每五年举行一次。', ZC, ['党章', '组织制度'], 2],
  ['judge', '党员有权向党的上级组织直至中央提出请求、申诉和控告，并要求有关组织给以负责的答复。', J, '正确', '这是党章第四条规定的党员权利之一。', ZC, ['党章', '党员权利'], 1],
  ['judge', '党员有权在党的会议上对党的任何组织和任何党员提出有根据的批评。', J, '正确', '这是党章第四条规定的党员权利之一。', ZC, ['党章', '党员权利'], 1],
  ['judge', '党的基层组织是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。', J, '正确', '党章第三十二条开头即作此表述。', ZC, ['党章', '基层组织'], 1],
  ['judge', '党员可以在党内搞团团伙伙，只要不违反法律。', J, '错误', '党章规定党员必须维护党的团结和统一，严禁在党内搞团团伙伙、结党营私。', ZC, ['党章', '党的纪律'], 1],
  ['single', '党章规定，中国共产党以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、（ ）作为自己的行动指南。', ['习近平新时代中国特色社会主义思想', '社会主义核心价值观', '新发展理念', '总体国家安全观'], 'A', '党的十九大把习近平新时代中国特色社会主义思想写入党章，确立为党的行动指南。', ZC, ['党章', '指导思想'], 1],

  // ---- 党史
  ['single', '中国共产党第一次全国代表大会于哪一年召开？', ['1919年', '1920年', '1921年', '1927年'], 'C', '1921年7月23日，中国共产党第一次全国代表大会在上海开幕，宣告中国共产党成立。', DS, ['党史', '建党'], 1],
  ['single', '中共一大最后一天的会议转移到哪里举行？', ['上海法租界', '浙江嘉兴南湖', '江西南昌', '湖南长沙'], 'B', '因遭法租界巡捕搜查，一大最后一天的会议转移到浙江嘉兴南湖的一条游船上举行。', DS, ['党史', '建党'], 1],
  ['single', '出席中共一大的代表共有多少人？', ['9人', '12人', '13人', '15人'], 'C', '出席一大的代表共13人，代表全国50多名党员。', DS, ['党史', '建党'], 2],
  ['single', '1927年召开的八七会议确定了什么总方针？', ['农村包围城市', '土地革命和武装反抗国民党反动派', '建立抗日民族统一战线', '整顿党的作风'], 'B', '八七会议确定了土地革命和武装反抗国民党反动派的总方针，毛泽东在会上提出“须知政权是由枪杆子中取得的”。', DS, ['党史', '土地革命'], 2],
  ['single', '南昌起义于哪一天爆发？', ['1927年8月1日', '1927年9月9日', '1927年12月11日', '1928年4月28日'], 'A', '1927年8月1日南昌起义打响了武装反抗国民党反动派的第一枪，这一天后来定为中国人民解放军建军节。', DS, ['党史', '土地革命'], 1],
  ['single', '遵义会议于何时召开？', ['1934年10月', '1935年1月', '1935年10月', '1936年10月'], 'B', '1935年1月，中共中央政治局在贵州遵义召开扩大会议，这是党的历史上一个生死攸关的转折点。', DS, ['党史', '长征'], 1],
  ['single', '红军长征胜利结束的标志是什么？', ['红一方面军到达陕北吴起镇', '红军三大主力在甘肃会宁、静宁将台堡会师', '红军强渡大渡河', '红军四渡赤水'], 'B', '1936年10月，红军三大主力在甘肃会宁、静宁将台堡会师，标志着长征胜利结束。', DS, ['党史', '长征'], 2],
  ['single', '古田会议于哪一年召开？', ['1927年', '1928年', '1929年', '1930年'], 'C', '1929年12月，红四军第九次党的代表大会在福建上杭古田召开，确立了思想建党、政治建军原则。', DS, ['党史', '土地革命'], 2],
  ['single', '延安整风运动于哪一年在全党普遍展开？', ['1938年', '1940年', '1942年', '1945年'], 'C', '1942年2月，毛泽东作《整顿党的作风》等报告，整风运动在全党普遍展开。', DS, ['党史', '作风建设'], 2],
  ['single', '毛泽东思想被确立为党的指导思想是在党的第几次全国代表大会上？', ['六大', '七大', '八大', '九大'], 'B', '1945年党的七大把毛泽东思想确立为党的指导思想并写入党章。', DS, ['党史', '指导思想'], 1],
  ['single', '1949年3月，党的七届二中全会在哪里召开？', ['陕西延安', '河北西柏坡', '北京香山', '河北石家庄'], 'B', '七届二中全会在河北省平山县西柏坡召开，提出了“两个务必”。', DS, ['党史', '两个务必'], 1],
  ['single', '七届二中全会提出“两个务必”：务必使同志们继续地保持谦虚、谨慎、不骄、不躁的作风，务必使同志们继续地保持（ ）的作风。', ['实事求是', '艰苦奋斗', '密切联系群众', '批评与自我批评'], 'B', '“两个务必”的第二句是务必使同志们继续地保持艰苦奋斗的作风。', DS, ['党史', '两个务必'], 1],
  ['multi', '党在长期实践中形成的三大优良作风是（ ）。', ['理论联系实际', '密切联系群众', '批评与自我批评', '艰苦奋斗'], 'ABC', '三大优良作风是理论联系实际、密切联系群众、批评与自我批评。', DS, ['党史', '作风建设'], 1],
  ['single', '党的十一届三中全会于何时召开？', ['1976年10月', '1977年8月', '1978年12月', '1982年9月'], 'C', '1978年12月召开的十一届三中全会实现了新中国成立以来党的历史上具有深远意义的伟大转折，开启了改革开放新时期。', DS, ['党史', '改革开放'], 1],
  ['single', '“建设有中国特色的社会主义”是在党的哪次全国代表大会上明确提出的？', ['十一大', '十二大', '十三大', '十四大'], 'B', '1982年党的十二大开幕词中，邓小平提出“走自己的道路，建设有中国特色的社会主义”。', DS, ['党史', '改革开放'], 2],
  ['single', '邓小平南方谈话发表于哪一年？', ['1988年', '1990年', '1992年', '1997年'], 'C', '1992年初邓小平视察武昌、深圳、珠海、上海等地并发表重要谈话。', DS, ['党史', '改革开放'], 1],
  ['single', '党的十八大于何时召开？', ['2007年10月', '2012年11月', '2017年10月', '2022年10月'], 'B', '党的十八大于2012年11月召开，中国特色社会主义进入新时代的历史起点。', DS, ['党史', '新时代'], 1],
  ['single', '在庆祝中国共产党成立100周年大会上，习近平总书记宣告我们实现了第一个百年奋斗目标，这一大会于何时举行？', ['2021年7月1日', '2021年10月1日', '2020年12月31日', '2022年10月16日'], 'A', '2021年7月1日，习近平总书记在庆祝中国共产党成立100周年大会上宣告全面建成了小康社会。', DS, ['党史', '新时代'], 1],
  ['multi', '伟大建党精神的内涵包括（ ）。', ['坚持真理、坚守理想', '践行初心、担当使命', '不怕牺牲、英勇斗争', '对党忠诚、不负人民', '自力更生、艰苦创业'], 'ABCD', '伟大建党精神是：坚持真理、坚守理想，践行初心、担当使命，不怕牺牲、英勇斗争，对党忠诚、不负人民。', DS, ['党史', '精神谱系'], 2],
  ['judge', '党的十九届六中全会通过了党的第三个历史决议《中共中央关于党的百年奋斗重大成就和历史经验的决议》。', J, '正确', '2021年11月党的十九届六中全会审议通过该决议，是党的第三个历史决议。', DS, ['党史', '历史决议'], 1],
  ['single', '党的第三个历史决议总结的党百年奋斗的历史经验有几条？', ['五条', '八条', '十条', '十二条'], 'C', '决议总结了“十个坚持”：坚持党的领导、坚持人民至上、坚持理论创新、坚持独立自主、坚持中国道路、坚持胸怀天下、坚持开拓创新、坚持敢于斗争、坚持统一战线、坚持自我革命。', DS, ['党史', '历史决议'], 2],
  ['single', '中国人民抗日战争胜利纪念日是每年的哪一天？', ['7月7日', '8月15日', '9月3日', '9月18日'], 'C', '2014年全国人大常委会决定，将9月3日确定为中国人民抗日战争胜利纪念日。', DS, ['党史', '抗日战争'], 1],
  ['judge', '井冈山革命根据地是党领导创建的第一个农村革命根据地。', J, '正确', '1927年10月毛泽东率秋收起义部队到达井冈山，创建了第一个农村革命根据地。', DS, ['党史', '土地革命'], 2],

  // ---- 党的二十大报告
  ['single', '中国共产党第二十次全国代表大会于何时召开？', ['2021年7月', '2022年3月', '2022年10月', '2023年3月'], 'C', '党的二十大于2022年10月16日至22日在北京召开。', ESD, ['二十大', '会议'], 1],
  ['single', '党的二十大报告指出，从现在起，中国共产党的中心任务就是团结带领全国各族人民全面建成社会主义现代化强国、实现第二个百年奋斗目标，以（ ）全面推进中华民族伟大复兴。', ['高质量发展', '中国式现代化', '全面深化改革', '科技自立自强'], 'B', '报告明确以中国式现代化全面推进中华民族伟大复兴。', ESD, ['二十大', '中国式现代化'], 1],
  ['single', '党的二十大报告指出，（ ）是全面建设社会主义现代化国家的首要任务。', ['高质量发展', '乡村振兴', '共同富裕', '科技创新'], 'A', '报告指出，高质量发展是全面建设社会主义现代化国家的首要任务。', ESD, ['二十大', '高质量发展'], 1],
  ['multi', '党的二十大报告概括的中国式现代化的中国特色包括（ ）。', ['人口规模巨大的现代化', '全体人民共同富裕的现代化', '物质文明和精神文明相协调的现代化', '人与自然和谐共生的现代化', '走和平发展道路的现代化', '以资本为中心的现代化'], 'ABCDE', '中国式现代化是人口规模巨大、全体人民共同富裕、物质文明和精神文明相协调、人与自然和谐共生、走和平发展道路的现代化。', ESD, ['二十大', '中国式现代化'], 2],
  ['single', '党的二十大报告指出，教育、科技、人才是全面建设社会主义现代化国家的（ ）。', ['根本保证', '基础性、战略性支撑', '第一动力', '重要基础'], 'B', '报告指出，教育、科技、人才是全面建设社会主义现代化国家的基础性、战略性支撑。', ESD, ['二十大', '科教兴国'], 2],
  ['single', '党的二十大报告指出，（ ）是社会主义民主政治的本质属性，是最广泛、最真实、最管用的民主。', ['协商民主', '基层民主', '全过程人民民主', '党内民主'], 'C', '报告指出，全过程人民民主是社会主义民主政治的本质属性。', ESD, ['二十大', '民主政治'], 1],
  ['judge', '党的二十大报告指出，实践没有止境，理论创新也没有止境。', J, '正确', '报告在论述开辟马克思主义中国化时代化新境界时作此表述。', ESD, ['二十大', '理论创新'], 1],
  ['single', '党的二十大报告提出，到哪一年基本实现社会主义现代化？', ['2025年', '2030年', '2035年', '2049年'], 'C', '报告提出，从二〇二〇年到二〇三五年基本实现社会主义现代化，从二〇三五年到本世纪中叶把我国建成社会主义现代化强国。', ESD, ['二十大', '发展目标'], 1],
  ['judge', '党的二十大报告指出，全面从严治党永远在路上，党的自我革命永远在路上。', J, '正确', '报告在部署坚定不移全面从严治党时作此表述。', ESD, ['二十大', '全面从严治党'], 1],
  ['single', '“江山就是人民，人民就是（ ）”。', ['江山', '根基', '力量', '靠山'], 'A', '习近平总书记指出：江山就是人民，人民就是江山，打江山、守江山，守的是人民的心。', ESD, ['二十大', '人民至上'], 1],
  ['single', '“两个确立”是指确立习近平同志党中央的核心、全党的核心地位，确立（ ）的指导地位。', ['马克思主义', '习近平新时代中国特色社会主义思想', '中国特色社会主义理论体系', '党的基本路线'], 'B', '“两个确立”是党在新时代取得的重大政治成果，对新时代党和国家事业发展具有决定性意义。', ESD, ['二十大', '政治建设'], 1],
  ['multi', '“四个意识”是指（ ）。', ['政治意识', '大局意识', '核心意识', '看齐意识', '忧患意识'], 'ABCD', '“四个意识”是增强政治意识、大局意识、核心意识、看齐意识。', ESD, ['政治建设'], 1],
  ['multi', '“四个自信”是指（ ）。', ['道路自信', '理论自信', '制度自信', '文化自信', '能力自信'], 'ABCD', '“四个自信”是中国特色社会主义道路自信、理论自信、制度自信、文化自信。', ESD, ['政治建设'], 1],
  ['judge', '“两个维护”是坚决维护习近平总书记党中央的核心、全党的核心地位，坚决维护党中央权威和集中统一领导。', J, '正确', '做到“两个维护”是党员干部最根本的政治纪律和政治规矩。', ESD, ['政治建设'], 1],
  ['single', '党的二十大报告强调，必须坚持科技是第一生产力、人才是第一资源、（ ）是第一动力。', ['改革', '创新', '开放', '人民'], 'B', '报告指出，必须坚持科技是第一生产力、人才是第一资源、创新是第一动力。', ESD, ['二十大', '科教兴国'], 1],
  ['single', '党的二十大报告指出，全面推进乡村振兴，坚持（ ）优先发展。', ['城市', '农业农村', '工业', '服务业'], 'B', '报告指出，坚持农业农村优先发展，坚持城乡融合发展。', ESD, ['二十大', '乡村振兴'], 1],

  // ---- 支部工作与党员教育
  ['single', '“三会一课”中的“三会”是指支部党员大会、支部委员会会议和（ ）。', ['党员代表大会', '党小组会', '组织生活会', '民主生活会'], 'B', '“三会一课”指支部党员大会、支部委员会会议、党小组会和按时上好党课。', ZB, ['党建', '组织生活'], 1],
  ['single', '党支部应当每月相对固定多少天开展主题党日？', ['1天', '2天', '3天', '半天'], 'A', '《中国共产党支部工作条例（试行）》规定，党支部应当每月相对固定1天开展主题党日。', ZB, ['党建', '组织生活'], 1],
  ['single', '支部党员大会一般多长时间召开1次？', ['每月', '每季度', '每半年', '每年'], 'B', '《中国共产党支部工作条例（试行）》规定，支部党员大会一般每季度召开1次。', ZB, ['党建', '组织生活'], 2],
  ['single', '按照2019—2023年全国党员教育培训工作规划，党员每年集中学习培训时间一般不少于多少学时？', ['16学时', '24学时', '32学时', '56学时'], 'C', '规划要求党员每年集中学习培训时间一般不少于32学时；基层党组织书记和班子成员每年不少于56学时。', '2019—2023年全国党员教育培训工作规划', ['党建', '党员教育'], 1],
  ['single', '按照2019—2023年全国党员教育培训工作规划，基层党组织书记和班子成员每年集中学习培训时间不少于多少学时？', ['32学时', '40学时', '56学时', '72学时'], 'C', '规划要求基层党组织书记和班子成员每年集中学习培训不少于56学时。', '2019—2023年全国党员教育培训工作规划', ['党建', '党员教育'], 2],
  ['judge', '党支部一般每年召开1次组织生活会。', J, '正确', '组织生活会一般每年召开1次，党员根据查摆的问题开展批评和自我批评。', ZB, ['党建', '组织生活'], 1],
  ['judge', '民主评议党员一般每年开展1次。', J, '正确', '党支部一般每年开展1次民主评议党员，结果作为评先评优和组织处置的依据。', ZB, ['党建', '党员管理'], 2],
  ['single', '每月工资收入（税后）在3000元以下（含3000元）的在职党员，每月按工资收入的多少交纳党费？', ['0.5%', '1%', '1.5%', '2%'], 'A', '按照《关于中国共产党党费收缴、使用和管理的规定》，税后月收入3000元以下（含）者交纳0.5%。', '关于中国共产党党费收缴、使用和管理的规定', ['党建', '党费'], 2],
];

export function demoQuestions(orgId: string, now: Date): StoredQuestion[] {
  return DEMO_QUESTIONS.map(([type, stem, options, answer, explanation, source, tags, difficulty]) => {
    const opts = type === 'judge' ? JUDGE_OPTIONS : options.map((text, i) => ({ id: 'ABCDEF'[i], text }));
    const ans = type === 'judge' ? [answer === '正确' ? 'A' : 'B'] : answer.split('').sort();
    return toStoredQuestion(orgId, { type, stem, options: opts, answer: ans, explanation, source, tags, difficulty }, now);
  });
}

/**
 * Days of daily sets the seed stores before its day. A week: practice opens with the 35 questions
 * those sets asked. The 76-question bank lasts 15 days, and practice holds back the next cycle's
 * first 35 questions once the walk is within a week of wrapping (core/quiz/practice.ts): after a
 * fortnight of sets, practice would be empty from the day after the seed.
 */
export const QUIZ_HISTORY_DAYS = 7;

/** When the first member opened the day's set (it is chosen then): in the morning, Asia/Shanghai. */
export const firstFetchAt = (day: string, nth: number): Date => new Date(`${day}T07:${String((nth * 17) % 50).padStart(2, '0')}:00+08:00`);

export interface QuizOrg {
  orgId: string;
  /** the org's full path, root first, itself last: its daily set draws from all these banks */
  orgPath: string[];
  orgName: string;
}

/**
 * The `days` daily sets before `today` of an org whose quiz started `days` days ago, and its config
 * after the last: what the quiz function stores when the first member opens each day's set. Same
 * walk (pickDailySet over the active bank in `order`, with the function's query limits), same
 * `quiz_sets` ids and fields, same `quiz_config` cursor, cycle and `used`. No pins: a pin is an
 * organiser's act, not history. `config` is null when the bank gave no set (nothing is stored then).
 */
export function quizHistory(org: QuizOrg, bank: readonly StoredQuestion[], today: string, days = QUIZ_HISTORY_DAYS): { sets: Array<StoredSet & { orgName: string }>; config: QuizConfig | null } {
  const active = bank
    .filter((q) => q.status === 'active' && org.orgPath.includes(q.orgId))
    .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  let cfg: QuizConfig = newConfig(org.orgId, org.orgPath);
  const sets: Array<StoredSet & { orgName: string }> = [];
  for (let back = days; back >= 1; back--) {
    const day = addDays(today, -back);
    // as materialise() queries: the next questions after the cursor, and the top of the order only when they run short
    const want = cfg.perDay + cfg.pinnedInCycle.length;
    const afterCursor = active.filter((q) => q.order > cfg.cursor).slice(0, Math.min(1000, want));
    const fromStart = afterCursor.length < want ? active.slice(0, Math.min(1000, cfg.perDay * 2)) : [];
    const pick = pickDailySet({ config: cfg, afterCursor, fromStart, pinned: [] });
    if (!pick.questions.length) continue;
    const at = firstFetchAt(day, sets.length);
    sets.push({ _id: setId(org.orgId, day), orgId: org.orgId, orgName: org.orgName, day, materialised: true, pinned: [], questions: pick.questions, cycle: pick.cycle, createdAt: at });
    cfg = { ...cfg, cursor: pick.cursor, cycle: pick.cycle, pinnedInCycle: pick.pinnedInCycle, used: markUsed(cfg.used, pick.questions, day), updatedAt: at };
  }
  return { sets, config: sets.length ? cfg : null };
}

/**
 * The district's bank, imported the afternoon before its quiz began, and `historyDays` days of its
 * daily sets. The district is the seed's only quiz org: no street or community has a quiz_config.
 * Members' answers are not seeded, so their quiz counters stay empty and consistent.
 */
export async function seedQuiz(store: SeedStore, size: SeedSize, now: Date, historyDays = QUIZ_HISTORY_DAYS): Promise<number> {
  if (size === 'none') return 0;
  const orgId = size === 'demo' ? 'd1' : 'w1';
  const today = dayOf(now);
  const importedAt = new Date(`${addDays(today, -historyDays - 1)}T16:00:00+08:00`);
  const docs = demoQuestions(orgId, importedAt);
  await store.insertMany('quiz_questions', docs as unknown as Record<string, unknown>[]);
  const node = (await store.findOne('org_nodes', orgId)) as { name?: string } | null;
  const { sets, config } = quizHistory({ orgId, orgPath: [orgId], orgName: node?.name ?? '' }, docs, today, historyDays);
  if (config) {
    await store.insertMany('quiz_sets', sets as unknown as Record<string, unknown>[]);
    await store.insertMany('quiz_config', [config as unknown as Record<string, unknown>]);
  }
  return docs.length;
}
