import { Text, View } from '@tarojs/components';
import { orgApi, type OrgOutputs } from '../../api/org';
import { BigButton } from '../../components/big-button';
import { Page } from '../../components/page';
import { Async, goTo } from '../../components/states';
import { useElder } from '../../elder/context';
import { wechatFontScale } from '../../elder/store';
import { useRequest } from '../../hooks/use-request';
import { formatDate } from '../../utils/invite-code';
import { StudyTaskCard } from '../study/study-task-card';
import { QuizTaskCard } from '../quiz/quiz-task-card';
import { ElderHome } from './elder-home';
import './index.scss';
import { ActivityTaskCard } from '../activity/components/home-card';
import { CadenceHomeCard } from '../activity/components/cadence-card';

const STATUS_LABEL = { pending: '等待支部书记审核', approved: '已通过', rejected: '未通过' } as const;

/** Offered once: to members aged 60+ and to anyone with an enlarged WeChat font. */
function ElderSuggestion({ age }: { age?: number }) {
  const elder = useElder();
  if (elder.on || elder.suggested) return null;
  if (!((age ?? 0) >= 60 || wechatFontScale() >= 1.15)) return null;
  return (
    <View className='card elder-suggest' id='elder-suggest'>
      <Text className='card-title'>要不要把字调大一些？</Text>
      <Text className='text'>开启“关怀模式”后，文字和按钮都会变大，更容易看清和点按。以后也可以在“我的”里随时切换。</Text>
      <BigButton id='elder-suggest-on' onClick={() => elder.setElder(true)}>
        开启关怀模式
      </BigButton>
      <BigButton id='elder-suggest-dismiss' kind='default' onClick={elder.markSuggested}>
        暂不需要
      </BigButton>
    </View>
  );
}

function PendingApplications() {
  const req = useRequest(() => orgApi.listApplications({ status: 'pending' }), [], { refreshOnShow: true });
  if (req.error || req.data === undefined) return null;
  return (
    <View
      className='card secretary-card'
      id='home-pending-applications'
      onClick={() => goTo('/pages/org/manage/applications/index')}
    >
      <View className='row'>
        <Text className='card-title'>待审核入支部申请</Text>
        <Text className='big-number'>{req.data.length} 人</Text>
      </View>
      <Text className='muted'>{req.data.length ? '点此去审核' : '暂时没有新的申请'}</Text>
    </View>
  );
}

function Member({ me }: { me: OrgOutputs['me'] }) {
  const m = me.member!;
  const branch = m.branchName ?? me.pathNames[me.pathNames.length - 1] ?? '';
  const manages = m.role === 'secretary' || m.role === 'organiser';
  const elder = useElder();
  if (elder.on) return <ElderHome name={m.name} />;
  return (
    <>
      <View className='card hello'>
        <Text className='hello-name' id='home-greeting'>
          {m.name}同志，您好
        </Text>
        <Text className='text hello-branch' id='home-branch'>
          {branch}
        </Text>
      </View>
      <ElderSuggestion age={m.age} />
      {manages ? <PendingApplications /> : null}
      {m.role === 'secretary' ? <CadenceHomeCard /> : null}
      <QuizTaskCard />
      <ActivityTaskCard />
      <StudyTaskCard />
    </>
  );
}

function Guest({ me }: { me: OrgOutputs['me'] }) {
  const open = me.applications;
  return (
    <>
      <View className='card hello'>
        <Text className='hello-name'>欢迎来到指尖党校</Text>
        <Text className='text'>加入您所在的党支部后，就可以参加每日答题、学习和组织生活。</Text>
        <BigButton id='home-join' onClick={() => goTo('/pages/org/join/index')}>
          加入党支部
        </BigButton>
      </View>
      <ElderSuggestion />
      {open.length ? (
        <View className='card' id='home-applications'>
          <Text className='card-title'>我的入支部申请</Text>
          {open.map((a) => (
            <View key={a.id} className='list-item application'>
              <View>
                <Text className='text'>{a.branchName}</Text>
                <Text className='muted'>{formatDate(a.createdAt)} 提交</Text>
                {a.status === 'rejected' && a.reason ? <Text className='muted'>原因：{a.reason}</Text> : null}
              </View>
              <Text className={`badge ${a.status === 'pending' ? 'gold' : a.status === 'approved' ? '' : 'grey'} application-status`}>
                {STATUS_LABEL[a.status]}
              </Text>
            </View>
          ))}
        </View>
      ) : null}
    </>
  );
}

export default function Home() {
  const me = useRequest(() => orgApi.me(), [], { refreshOnShow: true });
  return (
    <Page className='home' title='指尖党校'>
      <Async req={me}>{(data) => (data.member ? <Member me={data} /> : <Guest me={data} />)}</Async>
    </Page>
  );
}
